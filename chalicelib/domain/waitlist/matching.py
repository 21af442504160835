"""The pure rules of the waitlist: FIFO positions, one user's overlapping wishes, and which
window (if any) can be offered to an entry given the resource's occupants.

No I/O: the caller passes `now`, the occupants (a consistent read), the buffers, the opening
hours and a `judge` that applies the booking rules to a window (returning the reason it
fails, or None). The invariant itself is not decided here: the offer is written through the
booking writer's conditional transaction, which has the last word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.catalog.resources import BusinessHours
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.booking_rules import local_dates, opening_window
from chalicelib.domain.reservations.conflicts import Buffers, Occupying, find_conflicts
from chalicelib.domain.waitlist.entries import Wish

# A flexible wish is tried at this many candidate starts at most (each one is a pure check).
MAX_CANDIDATES = 500
Judge = Callable[[TimeRange], str | None]


@dataclass(frozen=True)
class QueueSlot:
    """A live entry as the resource's queue lists it (FIFO by `seq`)."""

    entry_id: str
    user_id: str
    seq: int
    wish: Wish


@dataclass(frozen=True)
class Match:
    """The window to offer, or None and the reason of the last rule that refused one."""

    window: TimeRange | None
    reason: str = ""


def in_order(queue: Iterable[QueueSlot]) -> list[QueueSlot]:
    return sorted(queue, key=lambda s: (s.seq, s.entry_id))


def current(queue: Iterable[QueueSlot], now: datetime) -> list[QueueSlot]:
    """The slots whose wished time is not over, FIFO (the others are closed lazily)."""
    return [s for s in in_order(queue) if s.wish.span.end > now]


def positions(queue: Iterable[QueueSlot]) -> dict[str, int]:
    """1-based FIFO position of each live entry in its resource's queue."""
    return {slot.entry_id: n for n, slot in enumerate(in_order(queue), start=1)}


def same_user_overlap(user_id: str, wish: Wish, queue: Iterable[QueueSlot]) -> QueueSlot | None:
    """The caller's live entry on this resource whose span overlaps the new wish, if any."""
    for slot in in_order(queue):
        if slot.user_id == user_id and slot.wish.span.overlaps(wish.span):
            return slot
    return None


def wanted_by(wish: Wish, freed: TimeRange | None) -> bool:
    """Could the freed window (None: anything, e.g. maintenance ended) serve this wish?"""
    return freed is None or wish.span.overlaps(freed)


def ceil_minute(at: datetime) -> datetime:
    """Flexible offers start on a whole minute, never before `at`."""
    floor = at.astimezone(UTC).replace(second=0, microsecond=0)
    return floor if floor == at else floor + timedelta(minutes=1)


def opening_starts(span: TimeRange, hours: BusinessHours | None, zone: ZoneInfo) -> list[datetime]:
    """The instants the resource opens on each local date of `span` (candidate starts)."""
    starts = []
    for day in local_dates(span, zone):
        opening = opening_window(hours, day, zone)
        if opening is not None:
            starts.append(opening.start)
    return starts


def first_window(
    wish: Wish,
    *,
    now: datetime,
    occupants: Sequence[Occupying],
    buffers: Buffers,
    judge: Judge,
    extra_starts: Iterable[datetime] = (),
) -> Match:
    """The earliest window that serves `wish`: free of every occupant (with buffers), not in
    the past, and accepted by `judge` (the booking rules; opening hours for `within_hours`)."""
    length = wish.length
    earliest = wish.span.start if not wish.flexible else max(wish.span.start, ceil_minute(now))
    if wish.span.start < now and not wish.flexible:
        return Match(None, "the wished time has started")
    reason = ""
    for start in _candidate_starts(wish, earliest, occupants, buffers, extra_starts):
        window = TimeRange(start, start + length)
        if find_conflicts(window, occupants, buffers):
            continue
        refusal = judge(window)
        if refusal is None:
            return Match(window)
        reason = refusal
    return Match(None, reason)


def _candidate_starts(
    wish: Wish,
    earliest: datetime,
    occupants: Sequence[Occupying],
    buffers: Buffers,
    extra_starts: Iterable[datetime],
) -> list[datetime]:
    if not wish.flexible:
        return [wish.span.start]
    latest = wish.span.end - wish.length
    gap = buffers.before + buffers.after
    after_each = (o.window.end + gap for o in occupants if o.occupies)
    found = {earliest, *after_each, *extra_starts}
    return sorted(s for s in found if earliest <= s <= latest)[:MAX_CANDIDATES]
