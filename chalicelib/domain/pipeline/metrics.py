"""The product's metrics: names, units, dimensions, and what counts as what (pure).

One catalogue feeds both outputs (docs/observability.md): CloudWatch EMF lines in AWS and the
per-minute counter items the admin summary reads, so the two never disagree on what a
"booking" or a "denial" is.

- Request-side counts (requests, conflicts, denials by rule) come from the API's answer.
- Event-side counts (bookings, offers, approvals) come from the domain events the stream
  relay publishes, counted once per event id.
- Webhook deliveries are counted per attempt by the delivery worker; queue lag is measured by
  every queue worker when it picks a message up (EMF only: a distribution, not a count).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain.errors import DomainError, RuleViolation
from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.reservations.conflicts import ReservationConflict


@dataclass(frozen=True)
class MetricDef:
    name: str  # the CloudWatch metric name
    key: str  # the counter's name in the store and the summary
    unit: str  # a CloudWatch unit
    dimension: str = ""  # the one dimension it is split by, if any
    counted: bool = True  # False: EMF only (not a count the summary can add up)


REQUESTS = MetricDef("Requests", "requests", "Count")
CONFLICTS = MetricDef("BookingConflicts", "conflicts", "Count")
DENIALS = MetricDef("Denials", "denials", "Count", dimension="rule")
BOOKINGS = MetricDef("Bookings", "bookings", "Count")
OFFERS = MetricDef("WaitlistOffers", "offers", "Count")
APPROVALS = MetricDef("ApprovalDecisions", "approvals", "Count", dimension="decision")
WEBHOOK_DELIVERIES = MetricDef("WebhookDeliveries", "webhook_deliveries", "Count", "outcome")
QUEUE_LAG = MetricDef("QueueLag", "queue_lag", "Milliseconds", dimension="queue", counted=False)

CATALOGUE: tuple[MetricDef, ...] = (
    REQUESTS,
    CONFLICTS,
    DENIALS,
    BOOKINGS,
    OFFERS,
    APPROVALS,
    WEBHOOK_DELIVERIES,
    QUEUE_LAG,
)
COUNTERS: tuple[MetricDef, ...] = tuple(m for m in CATALOGUE if m.counted)
BY_KEY = {m.key: m for m in CATALOGUE}


@dataclass(frozen=True)
class Sample:
    """One data point: `value` of `metric`, split by `dimension` (its value) if the metric is."""

    metric: MetricDef
    value: float = 1
    dimension: str = ""

    @property
    def dimensions(self) -> dict[str, str]:
        if not self.metric.dimension:
            return {}
        return {self.metric.dimension: self.dimension or "unknown"}


def refusal_sample(error: DomainError) -> Sample | None:
    """What a refused request counts as: a booking conflict, a denial by a rule, or nothing."""
    if isinstance(error, ReservationConflict):
        return Sample(CONFLICTS)
    if isinstance(error, RuleViolation):
        return Sample(DENIALS, dimension=error.code)
    return None


_EVENT_SAMPLES: dict[str, Sample] = {
    ev.RESERVATION_CREATED: Sample(BOOKINGS),
    ev.WAITLIST_OFFERED: Sample(OFFERS),
    ev.APPROVAL_APPROVED: Sample(APPROVALS, dimension="approved"),
    ev.APPROVAL_REJECTED: Sample(APPROVALS, dimension="rejected"),
    ev.APPROVAL_EXPIRED: Sample(APPROVALS, dimension="expired"),
}


def event_sample(event_name: str) -> Sample | None:
    return _EVENT_SAMPLES.get(event_name)


# --- the per-minute counters and their summary -------------------------------------------------

MAX_WINDOW_MINUTES = 24 * 60


def minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def window_minutes(end: datetime, minutes: int) -> tuple[datetime, datetime]:
    """The first and last minute buckets of the `minutes` up to and including `end`'s."""
    last = minute_of(end)
    return last - timedelta(minutes=minutes - 1), last


@dataclass(frozen=True)
class CounterRow:
    minute: datetime
    key: str  # MetricDef.key
    dimension: str
    count: int


@dataclass(frozen=True)
class Counted:
    """One event to count once (issue 16): its counter (minute, metric key, dimension) and
    the event's id."""

    minute: datetime
    key: str
    dimension: str
    source_id: str


@dataclass
class Totals:
    """The counters added up over a window: totals per metric, and per dimension value."""

    totals: dict[str, int] = field(default_factory=lambda: {m.key: 0 for m in COUNTERS})
    by_dimension: dict[str, dict[str, int]] = field(
        default_factory=lambda: {m.key: {} for m in COUNTERS if m.dimension}
    )

    @classmethod
    def of(cls, rows: Iterable[CounterRow]) -> Totals:
        summary = cls()
        for row in rows:
            if row.key not in summary.totals:
                continue  # a counter this version no longer knows
            summary.totals[row.key] += row.count
            if row.key in summary.by_dimension:
                split = summary.by_dimension[row.key]
                split[row.dimension] = split.get(row.dimension, 0) + row.count
        return summary
