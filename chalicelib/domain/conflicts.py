"""Pure conflict detection between a candidate window and a resource's reservations.

Buffers. A reservation [s, e) of a resource occupies [s - buffer_before, e + buffer_after): set-up
time before, clean-up time after. The resource's current buffers apply to the candidate AND to
every existing reservation alike, so two reservations conflict exactly when their widened ranges
overlap (half-open), i.e. when the gap between the earlier end and the later start is shorter
than buffer_after + buffer_before. Equivalently: an existing reservation conflicts when its raw
range overlaps the candidate widened by `reach = buffer_before + buffer_after` on BOTH sides.
With zero buffers this is plain half-open overlap: back-to-back bookings do not conflict.

Only OCCUPYING statuses (active, pending approval, held) take part.

The store (DESIGN.md section 2) bumps one version item per (resource, UTC day). `utc_days` lists
the days of a reservation's widened range; two conflicting reservations have overlapping widened
ranges, so they share an instant and therefore a UTC day: racing transactions always collide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, timedelta

from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.reservations import Reservation, TimeRange
from chalicelib.domain.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.timeutil import iso_z

_NO_BUFFER = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


def _check_buffers(buffer_before: timedelta, buffer_after: timedelta) -> None:
    if buffer_before < _NO_BUFFER or buffer_after < _NO_BUFFER:
        raise InvalidInput("buffers cannot be negative", code="invalid_buffer")


def occupied(
    window: TimeRange,
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
) -> TimeRange:
    """The range a reservation keeps the resource busy: its window plus set-up and clean-up."""
    _check_buffers(buffer_before, buffer_after)
    # UTC first: arithmetic on a zone-aware datetime is wall-clock arithmetic.
    return TimeRange(
        window.start.astimezone(UTC) - buffer_before, window.end.astimezone(UTC) + buffer_after
    )


def in_conflict(
    candidate: TimeRange,
    other: TimeRange,
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
) -> bool:
    widen = {"buffer_before": buffer_before, "buffer_after": buffer_after}
    return occupied(candidate, **widen).overlaps(occupied(other, **widen))


def find_conflicts(
    candidate: TimeRange,
    existing: Iterable[Reservation],
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
    ignore_ids: Iterable[str] = (),
) -> list[Reservation]:
    """Occupying reservations that conflict with `candidate`, earliest first.

    `ignore_ids`: reservations to leave out (the one being rescheduled, a series' own members).
    """
    ignored = frozenset(ignore_ids)
    busy = occupied(candidate, buffer_before=buffer_before, buffer_after=buffer_after)
    found = [
        reservation
        for reservation in existing
        if reservation.occupies
        and reservation.reservation_id not in ignored
        and busy.overlaps(
            occupied(reservation.window, buffer_before=buffer_before, buffer_after=buffer_after)
        )
    ]
    return sorted(found, key=lambda r: (r.window.start, r.window.end, r.reservation_id))


def find_internal_overlaps(
    candidates: Sequence[TimeRange],
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of candidates that would conflict with each other."""
    order = sorted(range(len(candidates)), key=lambda i: candidates[i].start)
    widened = [
        occupied(c, buffer_before=buffer_before, buffer_after=buffer_after) for c in candidates
    ]
    pairs: list[tuple[int, int]] = []
    for position, i in enumerate(order):
        for j in order[position + 1 :]:
            if widened[j].start >= widened[i].end:
                break  # sorted by start, and every later one starts even later
            pairs.append((min(i, j), max(i, j)))
    return sorted(pairs)


def find_series_conflicts(
    candidates: Sequence[TimeRange],
    existing: Iterable[Reservation],
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
    ignore_ids: Iterable[str] = (),
) -> dict[int, list[Reservation]]:
    """Occurrence index -> the reservations it conflicts with (indices without any are absent).

    A series whose own occurrences conflict with each other can never be booked, whatever else is
    on the calendar: that raises RuleViolation `series_self_overlap` naming the first pair.
    """
    buffers = {"buffer_before": buffer_before, "buffer_after": buffer_after}
    internal = find_internal_overlaps(candidates, **buffers)
    if internal:
        first, second = internal[0]
        raise RuleViolation(
            f"Occurrences {first + 1} and {second + 1} of the series overlap each other",
            code="series_self_overlap",
            details={"occurrences": [first, second], "pairs": [list(p) for p in internal]},
        )
    pool = [r for r in existing if r.occupies]
    result: dict[int, list[Reservation]] = {}
    for index, candidate in enumerate(candidates):
        found = find_conflicts(candidate, pool, ignore_ids=ignore_ids, **buffers)
        if found:
            result[index] = found
    return result


def query_window(
    candidate: TimeRange,
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
) -> TimeRange:
    """The range of START times the store must read to see every possible conflict.

    A reservation conflicts only if it starts before candidate.end + reach and ends after
    candidate.start - reach (reach = buffer_before + buffer_after). Since no reservation lasts
    longer than MAX_RESERVATION_SPAN, it then starts at or after candidate.start - reach - span.
    Query `start >= window.start AND start < window.end`, then call find_conflicts.
    """
    _check_buffers(buffer_before, buffer_after)
    reach = buffer_before + buffer_after
    start, end = candidate.start.astimezone(UTC), candidate.end.astimezone(UTC)
    return TimeRange(start - reach - MAX_RESERVATION_SPAN, end + reach)


def utc_days(
    window: TimeRange,
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
) -> list[date]:
    """Every UTC day the occupied range (window plus buffers) touches; the end is exclusive."""
    busy = occupied(window, buffer_before=buffer_before, buffer_after=buffer_after)
    first = busy.start.astimezone(UTC).date()
    last = (busy.end - _MICROSECOND).astimezone(UTC).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def series_utc_days(
    windows: Iterable[TimeRange],
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
) -> list[date]:
    """The union of utc_days over a series, sorted: the version items one transaction bumps."""
    days: set[date] = set()
    for window in windows:
        days.update(utc_days(window, buffer_before=buffer_before, buffer_after=buffer_after))
    return sorted(days)


def conflict_summary(reservations: Iterable[Reservation]) -> list[dict[str, str]]:
    """What a 409 may show about other reservations: id, start, end; nothing private."""
    return [
        {
            "reservation_id": r.reservation_id,
            "start_time": iso_z(r.window.start),
            "end_time": iso_z(r.window.end),
        }
        for r in reservations
    ]
