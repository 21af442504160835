"""What an admin sees of the workers' dead-letter queues (read models, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    sent_at: str
    receive_count: int
    event_name: str
    event_id: str
    reason: str
    body_excerpt: str


@dataclass(frozen=True)
class DeadLetterQueue:
    queue: str
    dlq: str
    approximate_count: int
    messages: list[DeadLetter] = field(default_factory=list)
