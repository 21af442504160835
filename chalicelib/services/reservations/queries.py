"""Read use cases: one reservation, its history, my reservations, everyone's (admin), and a
resource's schedule. Objects are visible to their owner and admins only; to anyone else a
reservation does not exist (404), so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.principal import Principal, require_admin, visible_to
from chalicelib.domain.reservations import OCCUPYING, HistoryEntry, Reservation, ReservationStatus
from chalicelib.domain.reservations.conflicts import Occupant
from chalicelib.services.prefetch import InlineExecutor
from chalicelib.services.reservations.ports import (
    ReservationListings,
    ReservationReads,
    ResourceLookup,
)
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.reservations.listing import ListingFilter

ADMIN_LOOKBACK = timedelta(days=30)
MAX_ADMIN_WINDOW = timedelta(days=366)
SCHEDULE_DEFAULT = timedelta(days=7)
MAX_SCHEDULE_WINDOW = timedelta(days=62)
# Many resources' schedules at once (the calendar's timeline): bounded so one request stays
# one bounded read per resource partition, run in parallel.
MAX_BATCH_RESOURCES = 200
MAX_BATCH_WINDOW = timedelta(days=14)
BATCH_BLOCKS = 200
T = TypeVar("T")


@dataclass(frozen=True)
class ListQuery:
    statuses: frozenset[ReservationStatus] = field(default_factory=frozenset)
    start_from: datetime | None = None
    until: datetime | None = None
    resource_id: str | None = None
    user_id: str | None = None
    resource_ids: frozenset[str] | None = None  # any of these (reservation search, audit14)
    descending: bool = False
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class ScheduleBlock:
    """A busy block; `reservation_id`/`user_id` only for the owner or an admin."""

    start_time: datetime
    end_time: datetime
    status: ReservationStatus
    mine: bool
    reservation_id: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class ResourceSchedule:
    """One resource's blocks in a batch; `complete` is False when it had more than the cap."""

    resource_id: str
    blocks: list[ScheduleBlock]
    complete: bool


@dataclass(frozen=True)
class Schedules:
    schedules: list[ResourceSchedule]
    missing: list[str]  # ids that name no resource (deleted meanwhile, or never)


@dataclass(frozen=True)
class Listing(Generic[T]):
    items: list[T]
    next_cursor: str | None
    # Resource id -> name for the rows of a reservation listing (one BatchGet per page), so
    # a page does not fetch each resource; a deleted resource is absent.
    resource_names: dict[str, str] = field(default_factory=dict)


class ReservationQueries:
    def __init__(
        self,
        reservations: ReservationReads,
        listing: ReservationListings,
        catalog: ResourceLookup,
        cursors: CursorCodec,
        clock: Clock,
        *,
        executor: Executor | None = None,
    ) -> None:
        self._executor = executor or InlineExecutor()
        self._reservations = reservations
        self._listing = listing
        self._catalog = catalog
        self._cursors = cursors
        self._clock = clock

    def get(self, principal: Principal, reservation_id: str) -> Reservation:
        found = self._reservations.get(reservation_id)
        if found is None or not visible_to(found.user_id, principal):
            raise NotFound("no such reservation", code="reservation_not_found")
        return found

    def history(
        self, principal: Principal, reservation_id: str, *, limit: int, cursor: str | None
    ) -> Listing[HistoryEntry]:
        self.get(principal, reservation_id)
        scope = f"resv-history:{reservation_id}"
        entries, last = self._reservations.history(
            reservation_id, limit=limit, start_key=self._cursors.decode(cursor, scope=scope)
        )
        return Listing(entries, self._cursors.encode(last, scope=scope))

    def mine(self, principal: Principal, query: ListQuery) -> Listing[Reservation]:
        """Default: occupying reservations that have not ended yet, soonest first."""
        start_from = query.start_from
        if start_from is None and query.until is None and not query.descending:
            start_from = self._clock.now()
        spec = ListingFilter(
            start_from=start_from,
            until=query.until,
            statuses=query.statuses or OCCUPYING,
            resource_id=query.resource_id,
            resource_ids=query.resource_ids,
        )
        _check_order(spec)
        scope = f"resv-mine:{principal.subject_id}"
        page = self._listing.for_user(
            principal.subject_id,
            spec,
            limit=query.limit,
            start_key=self._cursors.decode(query.cursor, scope=scope),
            descending=query.descending,
        )
        return self._named(page.items, self._cursors.encode(page.last_key, scope=scope))

    def everyone(self, principal: Principal, query: ListQuery) -> Listing[Reservation]:
        """Admin listing. Default window: the last 30 days and the following year."""
        require_admin(principal)
        start_from = query.start_from or self._clock.now() - ADMIN_LOOKBACK
        until = query.until or start_from + MAX_ADMIN_WINDOW
        spec = ListingFilter(
            start_from,
            until,
            query.statuses,
            query.resource_id,
            query.user_id,
            resource_ids=query.resource_ids,
        )
        _check_order(spec)
        if until - start_from > MAX_ADMIN_WINDOW:
            raise _too_wide(MAX_ADMIN_WINDOW)
        if query.user_id:
            scope = f"resv-admin-user:{query.user_id}"
            page = self._listing.for_user(
                query.user_id,
                spec,
                limit=query.limit,
                start_key=self._cursors.decode(query.cursor, scope=scope),
            )
            return self._named(page.items, self._cursors.encode(page.last_key, scope=scope))
        listing = self._by_month(spec, query)
        return self._named(listing.items, listing.next_cursor)

    def _named(self, items: list[Reservation], cursor: str | None) -> Listing[Reservation]:
        found = self._catalog.get_many({r.resource_id for r in items})
        names = {rid: resource.name for rid, resource in found.items()}
        return Listing(items, cursor, names)

    def _by_month(self, spec: ListingFilter, query: ListQuery) -> Listing[Reservation]:
        """Walk the GSI2 month buckets the window can reach; the cursor remembers the month."""
        assert spec.start_from is not None and spec.until is not None
        months = _months(spec.start_from - MAX_RESERVATION_SPAN, spec.until)
        position = self._cursors.decode(query.cursor, scope="resv-admin") or {}
        current = str(position.get("m", months[0].isoformat()))
        start_key = position.get("k")
        items: list[Reservation] = []
        for month in (m for m in months if m.isoformat() >= current):
            page = self._listing.in_month(
                month, spec, limit=query.limit - len(items), start_key=start_key
            )
            items.extend(page.items)
            start_key = None
            if page.last_key:
                return Listing(items, self._month_cursor(month, page.last_key))
            if len(items) >= query.limit:
                following = [m for m in months if m > month]
                cursor = self._month_cursor(following[0], None) if following else None
                return Listing(items, cursor)
        return Listing(items, None)

    def _month_cursor(self, month: date, last_key: dict[str, Any] | None) -> str | None:
        return self._cursors.encode({"m": month.isoformat(), "k": last_key}, scope="resv-admin")

    def schedule(
        self,
        principal: Principal,
        resource_id: str,
        query: ListQuery,
    ) -> Listing[ScheduleBlock]:
        """Occupying reservations overlapping the window (default: the next 7 days)."""
        resource = self._catalog.get(resource_id)
        now = self._clock.now()
        start_from = query.start_from or now
        until = query.until or start_from + SCHEDULE_DEFAULT
        _check_order(ListingFilter(start_from, until))
        if until - start_from > MAX_SCHEDULE_WINDOW:
            raise _too_wide(MAX_SCHEDULE_WINDOW)
        scope = f"resv-schedule:{resource.resource_id}"
        page = self._listing.schedule(
            resource.resource_id,
            start_from,
            until,
            now,
            limit=query.limit,
            start_key=self._cursors.decode(query.cursor, scope=scope),
        )
        blocks = _blocks(page.items, principal)
        return Listing(blocks, self._cursors.encode(page.last_key, scope=scope))

    def schedules(
        self,
        principal: Principal,
        resource_ids: Sequence[str],
        start_from: datetime,
        until: datetime,
    ) -> Schedules:
        """Busy blocks of many resources over one window: one BatchGet for the resources, then
        each resource's partition read in parallel (at most BATCH_BLOCKS blocks each)."""
        ids = list(dict.fromkeys(resource_ids))
        if not ids or len(ids) > MAX_BATCH_RESOURCES:
            raise InvalidInput(
                f"name 1 to {MAX_BATCH_RESOURCES} resources",
                code="too_many_resources",
                details={"max": MAX_BATCH_RESOURCES},
            )
        _check_order(ListingFilter(start_from, until))
        if until - start_from > MAX_BATCH_WINDOW:
            raise _too_wide(MAX_BATCH_WINDOW)
        found = self._catalog.get_many(ids)
        now = self._clock.now()
        # Composite resources (issue 14): a part shows its composites' bookings, and back.
        related = self._listing.related([rid for rid in ids if rid in found])
        wanted = [*ids, *sorted({x for r in related.values() for x in r} - set(ids))]
        futures = {
            rid: self._executor.submit(
                self._listing.schedule,
                rid,
                start_from,
                until,
                now,
                limit=BATCH_BLOCKS,
                start_key=None,
            )
            for rid in wanted
            if rid in found or rid not in ids
        }
        pages = {rid: future.result() for rid, future in futures.items()}
        out = []
        for rid in (r for r in ids if r in found):
            shown = [rid, *related.get(rid, ())]
            seen = {o.reservation_id: o for x in shown for o in pages[x].items}
            items = sorted(seen.values(), key=lambda o: o.window.start)
            complete = all(pages[x].last_key is None for x in shown)
            out.append(ResourceSchedule(rid, _blocks(items, principal), complete))
        return Schedules(out, [rid for rid in ids if rid not in found])


def _blocks(occupants: Sequence[Occupant], principal: Principal) -> list[ScheduleBlock]:
    """Others' blocks carry only their times and status; owners and admins see the ids."""
    blocks = []
    for occupant in occupants:
        visible = visible_to(occupant.user_id, principal)
        blocks.append(
            ScheduleBlock(
                start_time=occupant.window.start,
                end_time=occupant.window.end,
                status=occupant.status,
                mine=occupant.user_id == principal.subject_id,
                reservation_id=occupant.reservation_id if visible else None,
                user_id=occupant.user_id if visible else None,
            )
        )
    return blocks


def _check_order(spec: ListingFilter) -> None:
    if spec.start_from and spec.until and spec.until <= spec.start_from:
        raise InvalidInput("'to' must be after 'from'", code="empty_range")


def _too_wide(limit: timedelta) -> InvalidInput:
    return InvalidInput(
        f"the window may span at most {limit.days} days",
        code="window_too_large",
        details={"max_days": limit.days},
    )


def _months(start: datetime, end: datetime) -> list[date]:
    """First days of every month from start's to end's, inclusive."""
    month = date(start.year, start.month, 1)
    last = date(end.year, end.month, 1)
    months = []
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months
