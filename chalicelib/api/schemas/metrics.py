"""The admin metrics summary (docs/observability.md)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.domain.pipeline.metrics import MAX_WINDOW_MINUTES
from chalicelib.services.pipeline.metrics import MetricsSummary


class MetricsQuery(Strict):
    minutes: int = Field(
        default=60,
        ge=1,
        le=MAX_WINDOW_MINUTES,
        description="The window: the last N minutes, this one included (at most a day).",
    )


class QueueDepthOut(BaseModel):
    queue: str
    depth: int = Field(description="Messages waiting (approximate).")
    in_flight: int = Field(description="Messages being worked on (approximate).")
    dead_letters: int = Field(description="Messages in the queue's DLQ (approximate).")


class MetricsSummaryOut(BaseModel):
    window_minutes: int
    first_minute: UtcDatetime
    last_minute: UtcDatetime
    requests: int
    bookings: int
    conflicts: int
    denials: int
    offers: int
    approvals: int
    webhook_deliveries: int
    denials_by_rule: dict[str, int]
    approvals_by_decision: dict[str, int]
    webhook_deliveries_by_outcome: dict[str, int]
    queues: list[QueueDepthOut]
    dead_letters: int = Field(description="All DLQs together.")

    @classmethod
    def of(cls, s: MetricsSummary) -> MetricsSummaryOut:
        t, split = s.totals.totals, s.totals.by_dimension
        return cls(
            window_minutes=s.minutes,
            first_minute=s.first_minute,
            last_minute=s.last_minute,
            **{key: t[key] for key in cls._totals()},
            denials_by_rule=split["denials"],
            approvals_by_decision=split["approvals"],
            webhook_deliveries_by_outcome=split["webhook_deliveries"],
            queues=[QueueDepthOut(**q.__dict__) for q in s.queues],
            dead_letters=sum(q.dead_letters for q in s.queues),
        )

    @staticmethod
    def _totals() -> tuple[str, ...]:
        keys = ("requests", "bookings", "conflicts", "denials", "offers", "approvals")
        return (*keys, "webhook_deliveries")
