"""The catalogue's reservation ports, implemented over the reservation store.

Reads the resource's occupancy items (`RESOURCE#<id>` / `SLOT#<start>#<reservation id>`,
strongly consistent, see docs/data-model.md) and cancels through the booking service, so a
cancellation gets its history entry and notifications like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from datetime import date, datetime, timedelta

from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.catalog.rules import Occupant
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.conflicts import Occupant as Slot
from chalicelib.services.prefetch import InlineExecutor
from chalicelib.store.reservations import booking_tx, day_occupancy
from chalicelib.store.reservations.listing import ReservationListing

Cancel = Callable[[Principal, str, str], object]
# From this many resources on, "in use now" comes from the occupancy index (about six queries)
# instead of one query per resource.
INDEX_FROM = 8
_ONE_MS = timedelta(milliseconds=1)


class ReservationPorts:
    """Implements services.resources.FutureReservations and CurrentOccupancy."""

    def __init__(self, cancel: Cancel, executor: Executor | None = None) -> None:
        self._cancel = cancel
        self._executor = executor or InlineExecutor()

    def _ongoing_or_later(self, resource_id: str, now: datetime) -> list[Slot]:
        return booking_tx.running_or_later(resource_id, now)

    def count_future(self, resource_id: str, now: datetime) -> int:
        return len(self._ongoing_or_later(resource_id, now))

    def cancel_all_future(
        self, resource_id: str, now: datetime, *, actor: Principal, reason: str
    ) -> int:
        cancelled = 0
        for occupant in self._ongoing_or_later(resource_id, now):
            try:
                self._cancel(actor, occupant.reservation_id, reason)
                cancelled += 1
            except Conflict as exc:  # cancelled or decided meanwhile: nothing left to do
                if exc.code not in {"already_cancelled", "not_cancellable"}:
                    raise
        return cancelled

    def current(self, resource_id: str, now: datetime) -> Occupant | None:
        o = booking_tx.running_at(resource_id, now)
        return Occupant(o.reservation_id, o.window.start, o.window.end, o.user_id) if o else None

    def count_in_use(self, now: datetime) -> int:
        """Resources with a reservation running now: read from the start-month buckets of the
        last MAX_RESERVATION_SPAN (cost follows recent bookings, not the catalogue size)."""
        listing = ReservationListing()
        earliest = now - MAX_RESERVATION_SPAN
        months = sorted({date(earliest.year, earliest.month, 1), date(now.year, now.month, 1)})
        busy: set[str] = set()
        for month in months:
            start_key = None
            while True:
                page = listing.running_at(month, now, limit=100, start_key=start_key)
                busy.update(r.resource_id for r in page.items if r.window.start <= now)
                if page.last_key is None:
                    break
                start_key = page.last_key
        return len(busy)

    def current_many(self, resource_ids: Sequence[str], now: datetime) -> Mapping[str, Occupant]:
        """A few resources: one strongly consistent query each, run concurrently on the
        executor. More (a listing page, up to 100): the catalogue-wide occupancy index
        around `now` (about six queries whatever the page size, issue 16), as the
        free-window search reads it; a GSI may lag a booking by milliseconds, which a
        status shown on a list can afford (booking itself never reads it)."""
        if len(resource_ids) >= INDEX_FROM:
            return self._current_from_index(resource_ids, now)
        futures = {rid: self._executor.submit(self.current, rid, now) for rid in resource_ids}
        found = {rid: future.result() for rid, future in futures.items()}
        return {rid: occupant for rid, occupant in found.items() if occupant is not None}

    def current_reader(
        self, now: datetime, expected: int
    ) -> Callable[[Sequence[str]], Mapping[str, Occupant]]:
        """Pages of INDEX_FROM resources or more are expected: the index read starts now and
        serves every such page of the request. A smaller page still reads per resource (a
        strongly consistent status), the early read then unused."""
        if expected < INDEX_FROM:
            return lambda resource_ids: self.current_many(resource_ids, now)
        near = self._start_index_read(now)

        def current(resource_ids: Sequence[str]) -> Mapping[str, Occupant]:
            if len(resource_ids) < INDEX_FROM:
                return self.current_many(resource_ids, now)
            return _running(resource_ids, now, near())

        return current

    def _current_from_index(
        self, resource_ids: Sequence[str], now: datetime
    ) -> Mapping[str, Occupant]:
        return _running(resource_ids, now, self._start_index_read(now)())

    def _start_index_read(self, now: datetime) -> Callable[[], Mapping[str, list[Slot]]]:
        instant = TimeRange(now, now + _ONE_MS)
        run = self._executor.map
        return day_occupancy.start_occupants_near(instant, timedelta(0), now, run=run)


def _running(
    resource_ids: Sequence[str], now: datetime, near: Mapping[str, list[Slot]]
) -> Mapping[str, Occupant]:
    """Who holds each resource at `now`, from the occupants the index read found."""
    current: dict[str, Occupant] = {}
    for rid in set(resource_ids) & near.keys():
        running = sorted(
            (o for o in near[rid] if o.window.start <= now < o.window.end),
            key=lambda o: (o.window.start, o.reservation_id),
        )
        if running:  # as `running_at`: the earliest-starting one holds the resource
            o = running[0]
            current[rid] = Occupant(o.reservation_id, o.window.start, o.window.end, o.user_id)
    return current
