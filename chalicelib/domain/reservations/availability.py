"""Where a resource can still be booked: free intervals, the next free window, a yes/no check.

A free interval is a range in which any window (of an allowed duration) would pass
`check_booking` without an override and `find_conflicts`:

- inside the opening hours of the local date (resource zone; see booking_rules for 24:00);
- not on a blackout date, not while the resource is disabled or in maintenance;
- not before `now + min_notice` (the past and the notice period are never free);
- away from every occupying reservation by the buffers: a reservation [s, e) blocks
  [s - reach, e + reach) with reach = buffer_before + buffer_after (conflicts.py explains why);
- at least `min_duration` long, starting no later than `now + horizon`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource
from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.reservations import Reservation, TimeRange
from chalicelib.domain.reservations.booking_rules import (
    applicable_blackouts,
    check_booking,
    check_duration,
    effective_max_duration,
    opening_window,
    resource_zone,
    utc_range,
)
from chalicelib.domain.reservations.conflicts import find_conflicts

_Span = tuple[datetime, datetime]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_STEP = timedelta(minutes=5)


def _subtract(free: list[_Span], busy: _Span) -> list[_Span]:
    """Remove the half-open `busy` range from every free span, keeping non-empty pieces."""
    result: list[_Span] = []
    for start, end in free:
        if busy[1] <= start or end <= busy[0]:
            result.append((start, end))
            continue
        if start < busy[0]:
            result.append((start, busy[0]))
        if busy[1] < end:
            result.append((busy[1], end))
    return result


def _blocked(resource: Resource, reservations: Iterable[Reservation], now: datetime) -> list[_Span]:
    """Ranges in which no booking may lie: before the notice period, maintenance, reservations."""
    far_past = datetime.min.replace(tzinfo=UTC)
    blocked: list[_Span] = [(far_past, now + resource.policy.min_notice)]
    maintenance = resource.maintenance
    if maintenance is not None:
        until = maintenance.auto_reset_at or datetime.max.replace(tzinfo=UTC)
        blocked.append((maintenance.started_at, until))
    reach = resource.policy.buffer_before + resource.policy.buffer_after
    for reservation in reservations:
        if reservation.occupies:
            busy = utc_range(reservation.window)
            blocked.append((busy.start - reach, busy.end + reach))
    return blocked


def _free_spans(
    resource: Resource,
    local_date: date,
    *,
    hours: BusinessHours | None,
    blackouts: Sequence[Blackout],
    blocked: Sequence[_Span],
) -> list[_Span]:
    """Maximal free spans of one local date, before any minimum-length filter."""
    if not resource.enabled:
        return []
    if any(
        b.start_date <= local_date <= b.end_date for b in applicable_blackouts(resource, blackouts)
    ):
        return []
    opening = opening_window(hours, local_date, resource_zone(resource))
    if opening is None:
        return []
    free: list[_Span] = [(opening.start, opening.end)]
    for span in blocked:
        free = _subtract(free, span)
    return sorted(free)


def _slot_length(resource: Resource, slot_minutes: int) -> timedelta:
    length = timedelta(minutes=slot_minutes)
    policy = resource.policy
    if not policy.min_duration <= length <= effective_max_duration(resource):
        raise InvalidInput(
            "slot_minutes must lie between the resource's minimum and maximum booking duration",
            code="invalid_slot_length",
            details={
                "slot_minutes": slot_minutes,
                "min_minutes": policy.min_duration.total_seconds() / 60,
                "max_minutes": effective_max_duration(resource).total_seconds() / 60,
            },
        )
    return length


def _split(spans: Sequence[_Span], origin: datetime, length: timedelta) -> list[_Span]:
    """Cut spans into fixed slots on a grid starting at `origin` (the opening time)."""
    slots: list[_Span] = []
    for start, end in spans:
        index = -((origin - start) // length)  # ceiling division: first grid line >= start
        slot_start = origin + index * length
        while slot_start + length <= end:
            slots.append((slot_start, slot_start + length))
            slot_start += length
    return slots


def free_slots(
    resource: Resource,
    local_date: date,
    *,
    hours: BusinessHours | None,
    blackouts: Sequence[Blackout],
    reservations: Iterable[Reservation],
    now: datetime,
    slot_minutes: int | None = None,
) -> list[TimeRange]:
    """Maximal free intervals of `local_date` (or, with slot_minutes, fixed slots on a grid
    starting at the opening time), earliest first."""
    policy = resource.policy
    length = _slot_length(resource, slot_minutes) if slot_minutes is not None else None
    blocked = _blocked(resource, reservations, now)
    spans = _free_spans(resource, local_date, hours=hours, blackouts=blackouts, blocked=blocked)
    latest_start = now + policy.horizon
    spans = [s for s in spans if s[1] - s[0] >= policy.min_duration and s[0] <= latest_start]
    if length is not None:
        opening = opening_window(hours, local_date, resource_zone(resource))
        origin = opening.start if opening else now
        spans = [s for s in _split(spans, origin, length) if s[0] <= latest_start]
    return [TimeRange(start, end) for start, end in spans]


def _round_up(value: datetime, step: timedelta) -> datetime:
    return _EPOCH + -((_EPOCH - value) // step) * step


def _merge_adjacent(spans: Iterable[_Span]) -> list[_Span]:
    """Join spans that touch (a free 23:00-24:00 and a free 00:00-02:00 of the next day)."""
    merged: list[_Span] = []
    for start, end in sorted(spans):
        if merged and merged[-1][1] >= start:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def next_available(
    resource: Resource,
    duration: timedelta,
    *,
    after: datetime,
    hours: BusinessHours | None,
    blackouts: Sequence[Blackout],
    reservations: Iterable[Reservation],
    now: datetime,
    search_days: int = 14,
    step: timedelta = DEFAULT_STEP,
) -> TimeRange | None:
    """The earliest bookable window of `duration` starting at or after `after`, or None.

    Starts are rounded up to a multiple of `step` (UTC-aligned, 5 minutes by default) and the
    search covers `search_days` local dates from the one `after` falls on. A window may cross
    local midnight where the hours allow it. RuleViolation if the duration itself is not allowed.
    """
    if search_days < 1 or step <= timedelta(0):
        raise InvalidInput("search_days and step must be positive", code="invalid_search")
    after = utc_range(TimeRange(after, after + duration)).start
    check_duration(resource, TimeRange(after, after + duration))
    zone = resource_zone(resource)
    earliest = max(after, now + resource.policy.min_notice)
    latest_start = now + resource.policy.horizon
    first_day = earliest.astimezone(zone).date()
    blocked = _blocked(resource, reservations, now)
    days = [first_day + timedelta(days=offset) for offset in range(search_days)]
    spans = [
        span
        for day in days
        for span in _free_spans(resource, day, hours=hours, blackouts=blackouts, blocked=blocked)
    ]
    for span_start, span_end in _merge_adjacent(spans):
        start = _round_up(max(span_start, earliest), step)
        if start > latest_start:
            return None
        if start + duration <= span_end:
            return TimeRange(start, start + duration)
    return None


def is_free(
    window: TimeRange,
    *,
    resource: Resource,
    hours: BusinessHours | None,
    blackouts: Sequence[Blackout],
    reservations: Iterable[Reservation],
    now: datetime,
) -> bool:
    """Could `window` be booked on `resource` right now, without an override?"""
    try:
        check_booking(resource, window, now=now, hours=hours, blackouts=blackouts)
    except RuleViolation:
        return False
    policy = resource.policy
    return not find_conflicts(
        window,
        reservations,
        buffer_before=policy.buffer_before,
        buffer_after=policy.buffer_after,
    )


def free_spans(
    resource: Resource,
    first_day: date,
    last_day: date,
    *,
    hours: BusinessHours | None,
    blackouts: Sequence[Blackout],
    reservations: Iterable[Reservation],
    now: datetime,
) -> list[TimeRange]:
    """Maximal free intervals of the local dates [first_day, last_day], joined across
    midnight where the hours allow (Plan B's nearest windows search them; issue 13)."""
    blocked = _blocked(resource, reservations, now)
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    spans = [
        span
        for day in days
        for span in _free_spans(resource, day, hours=hours, blackouts=blackouts, blocked=blocked)
    ]
    return [TimeRange(s, e) for s, e in _merge_adjacent(spans)]
