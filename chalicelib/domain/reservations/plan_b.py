"""Plan B (issue 13): when a booking is refused, the nearest windows of the same length on
the same resource, before and after the one asked for, inside its opening hours.

Pure: the caller passes the free spans (domain/reservations/availability.free_spans) and a
`bookable` check (the booking rules and the caller's quotas); candidates start on a grid of
`step` and are ranked by how far they move the booking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from chalicelib.domain.reservations.time_range import TimeRange

STEP = timedelta(minutes=15)


def _floor(value: datetime, step: timedelta) -> datetime:
    origin = value.replace(hour=0, minute=0, second=0, microsecond=0)
    return origin + ((value - origin) // step) * step


def _ceil(value: datetime, step: timedelta) -> datetime:
    floored = _floor(value, step)
    return floored if floored == value else floored + step


def nearest_windows(
    wanted: TimeRange,
    spans: Sequence[TimeRange],
    *,
    earliest: datetime,
    bookable: Callable[[TimeRange], bool],
    each_side: int = 2,
    step: timedelta = STEP,
) -> list[TimeRange]:
    """Up to `each_side` windows of `wanted`'s length starting after it and as many before
    it (never before `earliest`), nearest first."""
    length = wanted.end - wanted.start
    after: list[TimeRange] = []
    for span in sorted(spans, key=lambda s: s.start):
        start = _ceil(max(span.start, earliest, wanted.start + step), step)
        while start + length <= span.end and len(after) < each_side:
            candidate = TimeRange(start, start + length)
            if bookable(candidate):
                after.append(candidate)
                start += max(length, step)
            else:
                start += step
    before: list[TimeRange] = []
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        start = _floor(min(span.end - length, wanted.start - step), step)
        while start >= max(span.start, earliest) and len(before) < each_side:
            candidate = TimeRange(start, start + length)
            if bookable(candidate):
                before.append(candidate)
                start -= max(length, step)
            else:
                start -= step
    return sorted(after + before, key=lambda w: (abs(w.start - wanted.start), w.start))
