"""Reservations: the occurrence that occupies a resource, and the series that groups them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from chalicelib.domain.errors import InvalidInput


class ReservationStatus(StrEnum):
    ACTIVE = "active"  # confirmed; occupies the slot
    PENDING_APPROVAL = "pending_approval"  # occupies the slot until decided
    HELD = "held"  # temporary hold (waitlist offer); occupies the slot until it expires
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"  # ended in the past (set by the expiry job)
    NO_SHOW = "no_show"


# Statuses that occupy the resource: two of these may never overlap on one resource.
OCCUPYING = frozenset(
    {ReservationStatus.ACTIVE, ReservationStatus.PENDING_APPROVAL, ReservationStatus.HELD}
)


@dataclass(frozen=True, order=True)
class TimeRange:
    """A half-open UTC interval [start, end)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidInput("times must be timezone-aware", code="naive_datetime")
        # Same-zone datetimes subtract by wall clock (wrong across DST): keep UTC inside.
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.end <= self.start:
            raise InvalidInput("end_time must be after start_time", code="empty_range")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: TimeRange) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a reservation's edit log (Indico-style): who did what, when, why."""

    at: datetime
    actor_id: str
    action: str  # created | rescheduled | cancelled | expired | approved | rejected | ...
    reason: str = ""
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reservation:
    reservation_id: str
    resource_id: str
    user_id: str
    window: TimeRange
    status: ReservationStatus
    created_at: datetime
    notes: str = ""
    series_id: str | None = None
    override_by: str | None = None  # admin who overrode hours/blackouts, if any
    cancel_reason: str = ""
    version: int = 0

    @property
    def occupies(self) -> bool:
        return self.status in OCCUPYING
