"""Factories for the pure booking tests: resources, hours, blackouts, reservations, instants."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.catalog.resources import (
    Blackout,
    BookingPolicy,
    BusinessHours,
    DayHours,
    Maintenance,
    Resource,
)
from chalicelib.domain.reservations import Reservation, ReservationStatus, TimeRange

_ids = itertools.count(1)

# Thursday 2026-01-15 08:00 UTC: an ordinary winter weekday, well before both 2026 DST changes.
NOW = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Wall-clock time in `zone` (fold=0) as a UTC instant.

    Converted because Python subtracts and compares two datetimes of the SAME tzinfo by wall
    clock: a 23-hour local day would otherwise claim to be 24 hours long.
    """
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def window(start: datetime, end: datetime | None = None, *, minutes: int = 60) -> TimeRange:
    return TimeRange(start, end if end is not None else start + timedelta(minutes=minutes))


def make_policy(**overrides: timedelta) -> BookingPolicy:
    return BookingPolicy(**overrides)


def make_resource(
    *,
    name: str = "Room 1",
    timezone: str = "UTC",
    enabled: bool = True,
    maintenance: Maintenance | None = None,
    resource_id: str | None = None,
    **policy: timedelta,
) -> Resource:
    return Resource(
        resource_id=resource_id or f"res-{next(_ids)}",
        name=name,
        timezone=timezone,
        enabled=enabled,
        maintenance=maintenance,
        policy=BookingPolicy(**policy),
    )


def _clock(text: str) -> time:
    return time(0) if text == "24:00" else time.fromisoformat(text)


def make_hours(
    opens: str = "09:00", closes: str = "17:00", *, weekdays: Iterable[int] = range(5)
) -> BusinessHours:
    """The same hours on each of `weekdays` (0 = Monday); "24:00" means end of day."""
    return BusinessHours(
        days={d: DayHours(opens=_clock(opens), closes=_clock(closes)) for d in weekdays}
    )


def merge_hours(*parts: BusinessHours) -> BusinessHours:
    """Combine weekday maps, later parts winning: merge_hours(weekdays, saturday_morning)."""
    days: dict[int, DayHours] = {}
    for part in parts:
        days.update(part.days)
    return BusinessHours(days=days)


def always_open_hours() -> BusinessHours:
    return make_hours("00:00", "24:00", weekdays=range(7))


def make_blackout(
    start: date,
    end: date | None = None,
    *,
    reason: str = "Company holiday",
    resource_id: str | None = None,
) -> Blackout:
    return Blackout(
        blackout_id=f"bo-{next(_ids)}",
        start_date=start,
        end_date=end or start,
        reason=reason,
        resource_id=resource_id,
    )


def make_reservation(
    start: datetime,
    end: datetime | None = None,
    *,
    minutes: int = 60,
    status: ReservationStatus = ReservationStatus.ACTIVE,
    resource_id: str = "res-x",
    reservation_id: str | None = None,
) -> Reservation:
    return Reservation(
        reservation_id=reservation_id or f"rsv-{next(_ids)}",
        resource_id=resource_id,
        user_id="user-1",
        window=window(start, end, minutes=minutes),
        status=status,
        created_at=NOW,
    )
