"""In-memory fakes of the outbound ports (mail, task queue, event bus): they keep what they are
given, so tests read it back. Only tests use them (production wiring builds the AWS adapters)."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.integrations.mailer import OutgoingEmail, to_mime


class InMemoryMailer:
    """Keeps every message it is given, rendered exactly as SES would receive it."""

    def __init__(self, sender: str = "no-reply@reserver.local") -> None:
        self.sender = sender
        self.sent: list[EmailMessage] = []

    def send(self, email: OutgoingEmail) -> str:
        message = to_mime(email, self.sender)
        self.sent.append(message)
        return str(message["Message-ID"])


class InMemoryTaskQueue:
    """Keeps (task, delay) pairs and dead letters (tests)."""

    def __init__(self) -> None:
        self.tasks: list[tuple[dict[str, Any], int]] = []
        self.dead: list[tuple[dict[str, Any], str]] = []

    def enqueue(self, task: dict[str, Any], *, delay_s: int = 0) -> None:
        self.tasks.append((task, delay_s))

    def dead_letter(self, task: dict[str, Any], *, reason: str) -> None:
        self.dead.append((task, reason))


class InMemoryPublisher:
    """A publisher that keeps what it is given (tests and scripts)."""

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.published.extend(events)
