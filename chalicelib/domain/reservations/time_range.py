"""A half-open UTC interval: the window a reservation occupies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import InvalidInput


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
