"""Admin operations: dead letters and jobs."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.domain.pipeline.operations import DeadLetterQueue


class DeadLetterOut(BaseModel):
    message_id: str
    sent_at: str = Field(description="Epoch milliseconds, as SQS reports it.")
    receive_count: int
    event_name: str
    event_id: str
    reason: str
    body_excerpt: str


class DeadLetterQueueOut(BaseModel):
    queue: str
    dlq: str
    approximate_count: int
    messages: list[DeadLetterOut] = Field(description="Up to 10 of them, oldest first.")

    @classmethod
    def from_domain(cls, q: DeadLetterQueue) -> DeadLetterQueueOut:
        return cls(
            queue=q.queue,
            dlq=q.dlq,
            approximate_count=q.approximate_count,
            messages=[DeadLetterOut(**m.__dict__) for m in q.messages],
        )


class RedriveIn(Strict):
    max_messages: int = Field(default=100, ge=1, le=1000)


class RedriveOut(BaseModel):
    queue: str
    moved: int


class JobOut(BaseModel):
    name: str
    description: str
    rate_minutes: int


class JobRunOut(BaseModel):
    name: str
    started_at: UtcDatetime
    finished_at: UtcDatetime
    result: dict[str, int]
