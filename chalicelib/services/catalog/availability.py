"""Availability use cases: the free time of a local date, the next free window, and the
free-window filter of the resource search.

Every answer comes from the pure functions of domain/reservations/availability.py over a strongly
consistent read of the resource's occupancy items (the read the booking transaction makes),
so "free" means "a booking made now would pass the rules without an override and find no
conflict". It can still be taken a moment later: the booking transaction stays the arbiter.

Search cost (docs/search.md). The filter runs per page of candidates through the listing's
`keep` seam: the pure rules (enabled, maintenance, hours, duration, notice, horizon) are
checked first without I/O; the survivors' occupancy comes from one read of the
catalogue-wide occupancy index (store/reservations/day_occupancy.py) shared by every page of
the request, and the blackout markers of those it leaves free from one batch read per page.
No query per candidate, however busy the catalogue is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from chalicelib.domain.catalog.resources import (
    MAX_RESERVATION_SPAN,
    Blackout,
    BusinessHours,
    Resource,
)
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import Reservation, TimeRange, availability
from chalicelib.domain.reservations.booking_rules import (
    check_booking,
    check_duration,
    day_bounds,
    local_midnight,
    resource_zone,
)
from chalicelib.domain.reservations.conflicts import Buffers, Occupant, find_conflicts
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.catalog.resources import ResourceService, ViewPage
from chalicelib.store.catalog import blackouts as blackout_store
from chalicelib.store.catalog import settings_items
from chalicelib.store.catalog import snapshot as catalogue_copy
from chalicelib.store.catalog.repository import ResourceStore
from chalicelib.store.reservations import day_occupancy
from chalicelib.store.reservations.occupied_by import expand_ids
from chalicelib.store.reservations.related_occupants import blocking_occupants

SEARCH_DAYS = 14  # local dates next-available looks at, starting with the first possible one
# How far from today a date may be asked for: beyond any booking horizon (5 years), and far
# enough from date.max that no computation overflows.
DATE_REACH = timedelta(days=5 * 366)
T = TypeVar("T")


class OccupancyReads(Protocol):
    def around(self, resource: Resource, window: TimeRange, now: datetime) -> list[Reservation]:
        """Occupying reservations that could block any part of `window` (buffers included)."""
        ...

    def start_near(
        self, window: TimeRange, margin: timedelta, now: datetime
    ) -> Callable[[], Mapping[str, list[Reservation]]]:
        """Starts reading (concurrently where it can); calling the result answers: by
        resource id, every occupying reservation of ANY resource that could block `window`
        widened by `margin` each side (a superset; one read for the catalogue)."""
        ...


class SlotOccupancy:
    """OccupancyReads over the occupancy items: one strongly consistent query (paged)."""

    def around(self, resource: Resource, window: TimeRange, now: datetime) -> list[Reservation]:
        policy = resource.policy
        buffers = Buffers(policy.buffer_before, policy.buffer_after)
        # Composite resources (issue 14): a booked part blocks its composite and vice versa.
        found = blocking_occupants(resource.resource_id, [window], buffers, now)
        return [_as_reservation(o, resource.resource_id) for o in found]

    def __init__(self, executor: Executor | None = None) -> None:
        self._executor = executor

    def start_near(
        self, window: TimeRange, margin: timedelta, now: datetime
    ) -> Callable[[], Mapping[str, list[Reservation]]]:
        run = self._executor.map if self._executor else map
        collect = day_occupancy.start_occupants_near(window, margin, now, run=run)
        converted: list[Mapping[str, list[Reservation]]] = []

        def answer() -> Mapping[str, list[Reservation]]:
            # Every page of the request asks: convert once.
            if not converted:
                found = collect()
                converted.append(
                    {rid: [_as_reservation(o, rid) for o in occ] for rid, occ in found.items()}
                )
            return converted[0]

        return answer


def _as_reservation(occupant: Occupant, resource_id: str) -> Reservation:
    # The occupancy item does not carry the creation time; nothing here reads it.
    return Reservation(
        reservation_id=occupant.reservation_id,
        resource_id=resource_id,
        user_id=occupant.user_id,
        window=occupant.window,
        status=occupant.status,
        created_at=occupant.window.start,
    )


@dataclass(frozen=True)
class DaySlots:
    resource: Resource
    day: date
    bounds: TimeRange  # the local date as a UTC range: 23, 24 or 25 hours
    slot_minutes: int | None
    slots: list[TimeRange]


@dataclass(frozen=True)
class NextSlot:
    resource: Resource
    duration: timedelta
    searched_from: datetime
    searched_until: datetime | None  # None: nothing was searched (beyond the horizon)
    slot: TimeRange | None


def _utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{field} must include a UTC offset such as Z or +02:00",
            code="naive_datetime",
            details={"field": field},
        )
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise InvalidInput(
            f"{field} is out of range", code="datetime_out_of_range", details={"field": field}
        ) from exc


def search_window(start: datetime | None, end: datetime | None) -> TimeRange | None:
    """The free-window filter's input: both bounds or neither, end after start, not too long."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise InvalidInput(
            "available_from and available_until go together: send both or neither",
            code="incomplete_window",
            details={"missing": "available_from" if start is None else "available_until"},
        )
    start, end = _utc(start, "available_from"), _utc(end, "available_until")
    if end <= start:
        raise InvalidInput(
            "available_until must be after available_from",
            code="empty_range",
            details={"available_from": iso_z(start), "available_until": iso_z(end)},
        )
    if end - start > MAX_RESERVATION_SPAN:
        raise InvalidInput(
            f"the window may span at most {MAX_RESERVATION_SPAN.days} days",
            code="window_too_long",
            details={"max_days": MAX_RESERVATION_SPAN.days},
        )
    return TimeRange(start, end)


def _check_reach(day: date, today: date) -> None:
    if abs(day - today) > DATE_REACH:
        raise InvalidInput(
            f"date must lie within {DATE_REACH.days} days of today",
            code="date_out_of_range",
            details={"date": day.isoformat(), "max_days": DATE_REACH.days},
        )


class _Once(Generic[T]):
    """A value read at most once per request, on first use (and only if needed)."""

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read
        self._value: list[T] = []

    def get(self) -> T:
        if not self._value:
            self._value.append(self._read())
        return self._value[0]


class AvailabilityService:
    def __init__(
        self,
        repository: ResourceStore,
        catalogue: ResourceService,
        clock: Clock,
        executor: Executor,
        occupancy: OccupancyReads,
    ) -> None:
        self._repo = repository
        self._catalogue = catalogue
        self._clock = clock
        self._executor = executor
        self._occupancy = occupancy

    # --- one resource -----------------------------------------------------------------------

    def day(
        self, actor: Principal, resource_id: str, day: date | None, slot_minutes: int | None
    ) -> DaySlots:
        """Free intervals (or fixed slots) of a local date; today in the resource's zone if
        no date is given."""
        resource = self._repo.get(resource_id)
        zone = resource_zone(resource)
        now = self._clock.now()
        today = now.astimezone(zone).date()
        local = day or today
        _check_reach(local, today)
        bounds = day_bounds(local, zone)
        hours, blackouts = self._rules(resource, local, local)
        reservations = self._occupancy.around(resource, bounds, now)
        slots = availability.free_slots(
            resource,
            local,
            hours=hours.result(),
            blackouts=blackouts.result(),
            reservations=reservations,
            now=now,
            slot_minutes=slot_minutes,
        )
        return DaySlots(resource, local, bounds, slot_minutes, slots)

    def next_free(
        self, actor: Principal, resource_id: str, duration: timedelta, after: datetime | None
    ) -> NextSlot:
        """The earliest window of `duration` at or after `after` (default: now) within
        SEARCH_DAYS local dates; `slot` None if there is none."""
        resource = self._repo.get(resource_id)
        now = self._clock.now()
        start = max(_utc(after, "after") if after else now, now)
        check_duration(resource, TimeRange(now, now + duration))
        policy = resource.policy
        earliest = max(start, now + policy.min_notice)
        if earliest > now + policy.horizon:
            return NextSlot(resource, duration, earliest, None, None)
        zone = resource_zone(resource)
        first_day = earliest.astimezone(zone).date()
        last_day = first_day + timedelta(days=SEARCH_DAYS - 1)
        searched = TimeRange(earliest, local_midnight(last_day + timedelta(days=1), zone))
        hours, blackouts = self._rules(resource, first_day, last_day)
        reservations = self._occupancy.around(resource, searched, now)
        slot = availability.next_available(
            resource,
            duration,
            after=start,
            hours=hours.result(),
            blackouts=blackouts.result(),
            reservations=reservations,
            now=now,
            search_days=SEARCH_DAYS,
        )
        return NextSlot(resource, duration, earliest, searched.end, slot)

    def _rules(
        self, resource: Resource, first: date, last: date
    ) -> tuple[Future[BusinessHours | None], Future[list[Blackout]]]:
        """Hours and blackouts, read while the caller reads the occupancy."""
        hours = self._executor.submit(self._repo.hours_for, resource)
        blackouts = self._executor.submit(
            self._repo.blackouts_between, resource.resource_id, first, last
        )
        return hours, blackouts

    # --- the free-window search -------------------------------------------------------------

    def search(
        self,
        actor: Principal,
        query: ResourceQuery,
        limit: int,
        cursor: str | None,
        *,
        available_from: datetime | None = None,
        available_until: datetime | None = None,
    ) -> ViewPage:
        """The catalogue listing; with a window, only resources free for all of it."""
        window = search_window(available_from, available_until)
        if window is None:
            return self._catalogue.list(actor, query, limit, cursor)
        keep = _FreeWindowFilter(window, self._clock.now(), self._executor, self._occupancy)
        return self._catalogue.list(actor, query, limit, cursor, availability=keep)


def _markers(ids: list[str], copy: catalogue_copy.Copy | None) -> dict[str, int | None]:
    """Own-blackout counts from the catalogue copy the listing just checked, else one read."""
    if copy is not None and all(rid in copy.markers for rid in ids):
        return {rid: copy.markers[rid] for rid in ids}
    return blackout_store.counts_of(ids)


class _FreeWindowFilter:
    """The `keep` callback for one search request: takes one page of candidates, returns
    those a normal user could book for the whole window right now.

    Its cost does not grow with the number of candidates' reservations: the pure rules run
    first; the occupancy of every candidate comes from ONE read of the catalogue-wide
    occupancy index around the window (reused by every page of the request, re-read only if
    a page needs wider buffers), and the own-blackout markers of the candidates it leaves
    free from one batch read (a blackout query only for the rare resource that has
    blackouts of its own)."""

    margin_seen = timedelta(0)  # per process: the widest buffers a search has needed

    def __init__(
        self, window: TimeRange, now: datetime, executor: Executor, occupancy: OccupancyReads
    ) -> None:
        self._window = window
        self._now = now
        self._executor = executor
        self._occupancy = occupancy
        # Any zone's local dates of the window lie within a day of its UTC dates.
        self._first = window.start.date() - timedelta(days=1)
        self._last = window.end.date() + timedelta(days=1)
        self._default_hours = _Once(settings_items.default_hours_cached)
        self._global_blackouts = _Once(
            lambda: blackout_store.global_between_cached(self._first, self._last)
        )
        # The occupancy read starts now, while the listing reads its first page, with the
        # widest buffers this process has met in a search (none in most catalogues). A page
        # that needs a wider margin reads again (`_occupants`), so the guess never changes
        # the answer, only whether the first read can be used.
        margin = _FreeWindowFilter.margin_seen
        self._near: tuple[timedelta, Callable[[], Mapping[str, list[Reservation]]]] = (
            margin,
            occupancy.start_near(window, margin, now),
        )

    def __call__(self, resources: list[Resource]) -> list[Resource]:
        plausible = [r for r in resources if self._passes_rules(r, ())]
        if not plausible:
            return []
        shared = self._global_blackouts.get()
        occupants = self._occupants(plausible)
        # Occupancy first: a resource it blocks is out whatever its own blackouts, so only
        # the ones still free need their markers read (few, in a busy window). The conflict
        # check comes before the rules with the shared blackouts (`is_free` is both): in a
        # busy window most candidates stop at the cheaper one.
        open_ = [
            r
            for r in plausible
            if self._unoccupied(r, occupants.get(r.resource_id, []))
            and self._passes_rules(r, shared)
        ]
        if not open_:
            return []
        # Their blackout markers and composite links come from the catalogue copy the
        # listing just checked (one batch read each when the catalogue is too large to copy).
        open_ids = [r.resource_id for r in open_]
        copy = catalogue_copy.COPIES.last()
        markers = self._executor.submit(_markers, open_ids, copy)
        # Composite resources (issue 14): a part is blocked by its composite's bookings and
        # the other way round. The catalogue-wide read already holds theirs.
        related = expand_ids(open_ids, known=None if copy is None else copy.links)
        blocking = {
            r.resource_id: [
                *occupants.get(r.resource_id, []),
                *(o for other in related.get(r.resource_id, ()) for o in occupants.get(other, [])),
            ]
            for r in open_
        }
        open_ = [r for r in open_ if self._is_free(r, shared, 0, blocking[r.resource_id])]
        own = markers.result()
        free = {
            r.resource_id
            for r in open_
            if own[r.resource_id] == 0
            or self._is_free(r, shared, own[r.resource_id], blocking[r.resource_id])
        }
        return [r for r in resources if r.resource_id in free]

    def _occupants(self, resources: list[Resource]) -> Mapping[str, list[Reservation]]:
        margin = max(r.policy.buffer_before + r.policy.buffer_after for r in resources)
        if self._near[0] < margin:
            _FreeWindowFilter.margin_seen = max(_FreeWindowFilter.margin_seen, margin)
            self._near = (margin, self._occupancy.start_near(self._window, margin, self._now))
        return self._near[1]()

    def _unoccupied(self, resource: Resource, reservations: list[Reservation]) -> bool:
        policy = resource.policy
        return not find_conflicts(
            self._window,
            reservations,
            buffer_before=policy.buffer_before,
            buffer_after=policy.buffer_after,
        )

    def _hours(self, resource: Resource) -> BusinessHours | None:
        if resource.business_hours is not None:
            return resource.business_hours
        return self._default_hours.get()

    def _passes_rules(self, resource: Resource, blackouts: Sequence[Blackout]) -> bool:
        try:
            check_booking(
                resource,
                self._window,
                now=self._now,
                hours=self._hours(resource),
                blackouts=blackouts,
            )
        except RuleViolation:
            return False
        return True

    def _is_free(
        self,
        resource: Resource,
        shared: Sequence[Blackout],
        own_blackouts: int | None,
        reservations: list[Reservation],
    ) -> bool:
        blackouts: Sequence[Blackout] = shared
        if own_blackouts != 0:  # some of its own, or no marker: read them
            blackouts = [
                *shared,
                *blackout_store.between(
                    resource.resource_id, self._first, self._last, include_global=False
                ),
            ]
        return availability.is_free(
            self._window,
            resource=resource,
            hours=self._hours(resource),
            blackouts=blackouts,
            reservations=reservations,
            now=self._now,
        )
