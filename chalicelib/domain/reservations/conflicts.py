"""Pure conflict detection between a candidate window and a resource's reservations.

Buffers. A reservation [s, e) of a resource occupies [s - buffer_before, e + buffer_after): set-up
time before, clean-up time after. The resource's current buffers apply to the candidate AND to
every existing reservation alike, so two reservations conflict exactly when their widened ranges
overlap (half-open), i.e. when the gap between the earlier end and the later start is shorter
than buffer_after + buffer_before. Equivalently: an existing reservation conflicts when its raw
range overlaps the candidate widened by `reach = buffer_before + buffer_after` on BOTH sides.
With zero buffers this is plain half-open overlap: back-to-back bookings do not conflict.

Only OCCUPYING statuses (active, pending approval, held, checked in) take part.

The one conflict vocabulary: `Buffers`, `Occupant` (an occupying reservation as its resource
sees it), `find_conflicts`, and `ReservationConflict`, the one 409 every writer raises (the
error module renders it for the caller: other users' reservations show only their times).

The store (DESIGN.md section 2) bumps one version item per (resource, UTC day). `utc_days` lists
the days of a reservation's widened range; two conflicting reservations have overlapping widened
ranges, so they share an instant and therefore a UTC day: racing transactions always collide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any, Protocol, TypeVar

from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.errors import Conflict, InvalidInput, RuleViolation
from chalicelib.domain.principal import Principal, visible_to
from chalicelib.domain.reservations import OCCUPYING, Reservation, ReservationStatus, TimeRange
from chalicelib.domain.timeutil import iso_z

_NO_BUFFER = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Buffers:
    """Set-up time before and clean-up time after each reservation of a resource."""

    before: timedelta = timedelta(0)
    after: timedelta = timedelta(0)

    def widen(self, window: TimeRange) -> TimeRange:
        return occupied(window, buffer_before=self.before, buffer_after=self.after)

    def days(self, windows: Iterable[TimeRange]) -> list[date]:
        """The UTC days (version items) the widened windows touch, sorted."""
        return series_utc_days(windows, buffer_before=self.before, buffer_after=self.after)


@dataclass(frozen=True)
class Occupant:
    """An occupying reservation as seen from its resource's occupancy item."""

    reservation_id: str
    user_id: str
    window: TimeRange
    status: ReservationStatus

    @property
    def occupies(self) -> bool:
        return self.status in OCCUPYING

    @classmethod
    def of(cls, reservation: Reservation) -> Occupant:
        return cls(
            reservation.reservation_id, reservation.user_id, reservation.window, reservation.status
        )


class Occupying(Protocol):
    """What `find_conflicts` needs of an existing booking (a Reservation or an Occupant)."""

    @property
    def reservation_id(self) -> str: ...

    @property
    def window(self) -> TimeRange: ...

    @property
    def occupies(self) -> bool: ...

    @property
    def status(self) -> ReservationStatus: ...


OccupyingT = TypeVar("OccupyingT", bound=Occupying)


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
    existing: Iterable[OccupyingT],
    buffers: Buffers | None = None,
    *,
    buffer_before: timedelta = _NO_BUFFER,
    buffer_after: timedelta = _NO_BUFFER,
    ignore_ids: Iterable[str] = (),
    queued: bool = False,
) -> list[OccupyingT]:
    """Occupying reservations (or occupants) that conflict with `candidate`, earliest first.

    `ignore_ids`: reservations to leave out (the one being rescheduled, a series' own members).
    `queued`: the candidate is a request awaiting approval. Requests awaiting approval do not
    block each other (they compete: approving one rejects the others, docs/approvals.md), but
    a pending request blocks every confirmed booking, hold and offer, and is blocked by them.
    """
    if buffers is not None:
        buffer_before, buffer_after = buffers.before, buffers.after
    ignored = frozenset(ignore_ids)
    busy = occupied(candidate, buffer_before=buffer_before, buffer_after=buffer_after)
    found = [
        reservation
        for reservation in existing
        if reservation.occupies
        and reservation.reservation_id not in ignored
        and not (queued and reservation.status == ReservationStatus.PENDING_APPROVAL)
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
        found = find_conflicts(
            candidate,
            pool,
            buffer_before=buffer_before,
            buffer_after=buffer_after,
            ignore_ids=ignore_ids,
        )
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


# --- the one 409 ------------------------------------------------------------------------------

CONFLICT_MESSAGE = "the resource is already booked for (part of) this time"


def conflict_listing(
    occupants: Iterable[Occupying | Occupant], viewer: Principal | None
) -> list[dict[str, str]]:
    """What a 409 may show of other bookings: their times; ids only to owners and admins."""
    listed: list[dict[str, str]] = []
    for occupant in occupants:
        entry = {"start_time": iso_z(occupant.window.start), "end_time": iso_z(occupant.window.end)}
        owner = getattr(occupant, "user_id", None)
        if owner is not None and visible_to(str(owner), viewer):
            entry = {"reservation_id": occupant.reservation_id, **entry}
        listed.append(entry)
    return listed


class ReservationConflict(Conflict):
    """A genuine overlap, raised by the booking writer (and by pre-checks that saw one).

    `clashes` maps the index of each claimed window (0 for a single booking) to the occupants
    it collides with. Requests of several windows name them: `subjects[index]` describes the
    window (an occurrence of a series, an item of a bulk request) and `group` is the key the
    per-window list goes under ("occurrences", "items"). `details_for(viewer)` is the body.
    """

    code = "reservation_conflict"

    def __init__(
        self,
        clashes: Mapping[int, Sequence[Occupant]],
        *,
        message: str = CONFLICT_MESSAGE,
        group: str | None = None,
        subjects: Mapping[int, Mapping[str, Any]] | None = None,
        recorded: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code="reservation_conflict")
        self.recorded = dict(recorded) if recorded is not None else None
        self.clashes = {index: list(found) for index, found in sorted(clashes.items())}
        unique = {o.reservation_id: o for found in self.clashes.values() for o in found}
        self.occupants = sorted(unique.values(), key=lambda o: (o.window.start, o.reservation_id))
        self.group = group
        self.subjects = dict(subjects or {})
        # Plan B (issue 13): ready-to-send booking requests, attached by the booking service.
        self.alternatives: list[dict[str, Any]] = []
        self.details = self.details_for(None)

    def described(
        self,
        group: str,
        subjects: Mapping[int, Mapping[str, Any]],
        *,
        message: str,
        positions: Sequence[int] | None = None,
    ) -> ReservationConflict:
        """The same clashes, named as the windows of a multi-window request: `positions`
        maps this conflict's window indexes (a chunk's) to the request's."""
        clashes = {
            (positions[index] if positions is not None else index): found
            for index, found in self.clashes.items()
        }
        return ReservationConflict(clashes, message=message, group=group, subjects=subjects)

    @classmethod
    def replayed(cls, details: Any, message: str = CONFLICT_MESSAGE) -> ReservationConflict:
        """A 409 recorded earlier under an Idempotency-Key (for the same caller): replayed
        with the body it was first given."""
        return cls({}, message=message, recorded=details if isinstance(details, dict) else {})

    def details_for(self, viewer: Principal | None) -> dict[str, Any]:
        if self.recorded is not None:
            # A replayed 409 gets Plan B afresh, like the first answer did.
            replay = dict(self.recorded)
            if self.alternatives:
                replay["alternatives"] = self.alternatives
            return replay
        details: dict[str, Any] = {"conflicts": conflict_listing(self.occupants, viewer)}
        if self.group is not None:
            details[self.group] = [
                {**self.subjects.get(index, {}), "conflicts": conflict_listing(found, viewer)}
                for index, found in self.clashes.items()
            ]
        if self.alternatives:
            details["alternatives"] = self.alternatives
        return details
