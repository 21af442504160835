"""Open time of a resource over an instant range (pure): business hours, blackouts and
maintenance, evaluated in the resource's zone, so a day with a DST change has 23 or 25
hours when the resource is open all day, and 09:00-17:00 stays eight hours either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Maintenance
from chalicelib.domain.reservations.time_range import TimeRange

END_OF_DAY = time(0)


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of a local wall time; UTC because subtracting two datetimes of one
    zone is wall-clock arithmetic in Python (a DST day would count 24 hours). fold=0: a wall
    time that occurs twice (DST end) means its first occurrence."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _open_windows(
    day: date, hours: BusinessHours | None, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The day's open windows, UTC instants."""
    midnight = _local(day, time(0), zone)
    next_midnight = _local(day + timedelta(days=1), time(0), zone)
    if hours is None:
        return [(midnight, next_midnight)]
    spec = hours.days.get(day.weekday())
    if spec is None:
        return []
    closes = next_midnight if spec.closes == END_OF_DAY else _local(day, spec.closes, zone)
    return [(_local(day, spec.opens, zone), closes)]


def _blacked_out(day: date, blackouts: Sequence[Blackout]) -> bool:
    return any(b.start_date <= day <= b.end_date for b in blackouts)


def _clip(a: datetime, b: datetime, window: TimeRange) -> float:
    """Seconds of [a, b) inside `window` (all compared as instants)."""
    start, end = max(a, window.start), min(b, window.end)
    return max(0.0, (end - start).total_seconds())


def open_minutes(
    window: TimeRange,
    zone: ZoneInfo,
    hours: BusinessHours | None,
    blackouts: Sequence[Blackout] = (),
    maintenance: Maintenance | None = None,
) -> int:
    """Minutes of `window` the resource is open: inside its hours, on no blackout date, and
    not under maintenance (an open-ended maintenance lasts until the window's end)."""
    first = window.start.astimezone(zone).date()
    last = window.end.astimezone(zone).date()
    seconds = 0.0
    day = first
    while day <= last:
        if not _blacked_out(day, blackouts):
            for a, b in _open_windows(day, hours, zone):
                seconds += _clip(a, b, window)
                if maintenance is not None:
                    seconds -= _maintenance_overlap(a, b, window, maintenance)
        day += timedelta(days=1)
    return int(seconds // 60)


def _maintenance_overlap(
    a: datetime, b: datetime, window: TimeRange, maintenance: Maintenance
) -> float:
    until = (maintenance.auto_reset_at or window.end).astimezone(UTC)
    start, end = max(a, maintenance.started_at.astimezone(UTC)), min(b, until)
    if end <= start:
        return 0.0
    return _clip(start, end, window)
