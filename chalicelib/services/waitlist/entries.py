"""Joining a waitlist and reading it: join, my entries, one entry, a resource's queue, and the
per-resource settings (admins).

A join is refused when the wished window could be booked right now (409 `slot_available`:
"book it now"), when the same user already waits for an overlapping time on the resource (409
`already_waiting`, decided inside the store's conditional join, never read-then-write), and
when the booking rules refuse the wish outright (422, e.g. a blackout), and when the user's
`waitlist` quota rules are full (422 `quota_exceeded` listing every full rule; the counters are
charged inside the join's transaction, docs/quotas.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal, require_admin, visible_to
from chalicelib.domain.reservations import TimeRange, booking_rules
from chalicelib.domain.timeutil import iso_z
from chalicelib.domain.waitlist.entries import EntryStatus, WaitlistEntry, Wish
from chalicelib.domain.waitlist.matching import (
    QueueSlot,
    current,
    positions,
    same_user_overlap,
)
from chalicelib.domain.waitlist.settings import WaitlistSettings
from chalicelib.services.quotas.gate import QuotaGate
from chalicelib.services.reservations.booking import to_millis
from chalicelib.services.waitlist.fit import Fit
from chalicelib.services.waitlist.ports import Catalog, Entries
from chalicelib.services.waitlist.quota_join import WaitlistQuota
from chalicelib.store.pagination import CursorCodec


@dataclass(frozen=True)
class JoinRequest:
    resource_id: str
    start_time: datetime
    end_time: datetime
    duration_minutes: int | None = None  # flexible: any window this long inside the range
    within_hours: bool = False
    auto_book: bool = False
    notes: str = ""


@dataclass(frozen=True)
class EntryView:
    entry: WaitlistEntry
    position: int | None  # 1-based FIFO place in the resource's queue; None once closed


@dataclass(frozen=True)
class EntryPage:
    items: list[EntryView]
    next_cursor: str | None


@dataclass(frozen=True)
class QueueView:
    """A resource's queue: `entries` for admins (who waits), counts for everyone."""

    resource_id: str
    waiting: int
    offered: int
    settings: WaitlistSettings
    entries: list[EntryView] | None
    my_positions: list[int]


def not_found() -> NotFound:
    return NotFound("no such waitlist entry", code="waitlist_entry_not_found")


class WaitlistService:
    def __init__(
        self,
        entries: Entries,
        catalog: Catalog,
        fit: Fit,
        *,
        clock: Clock,
        ids: IdFactory,
        cursors: CursorCodec,
        quotas: QuotaGate | None = None,
    ) -> None:
        self._quota = WaitlistQuota(quotas, entries)
        self._entries = entries
        self._catalog = catalog
        self._fit = fit
        self._clock = clock
        self._ids = ids
        self._cursors = cursors

    # --- join -------------------------------------------------------------------------------

    def join(self, principal: Principal, request: JoinRequest) -> EntryView:
        now = self._clock.now()
        wish = _wish(request, now)
        resource = self._catalog.get(request.resource_id)
        if not resource.waitlist.enabled:
            raise RuleViolation(
                f"{resource.name} has no waitlist", code="waitlist_disabled", details=None
            )
        self._refuse_hopeless(resource, wish, now)
        match = self._fit.match(resource, wish, now)
        if match.window is not None:
            raise Conflict(
                f"{resource.name} is free {iso_z(match.window.start)}-"
                f"{iso_z(match.window.end)}: book it now instead of waiting",
                code="slot_available",
                details={
                    "resource_id": resource.resource_id,
                    "start_time": iso_z(match.window.start),
                    "end_time": iso_z(match.window.end),
                },
            )

        plan = self._quota.plan_or_refuse(principal, resource, now)

        def decide(seq: int, queue: list[QueueSlot]) -> WaitlistEntry:
            clash = same_user_overlap(principal.subject_id, wish, current(queue, now))
            if clash is not None:
                raise Conflict(
                    "you are already waiting for an overlapping time on this resource",
                    code="already_waiting",
                    details={"entry_id": clash.entry_id},
                )
            return WaitlistEntry(
                entry_id=self._ids.new_id(),
                resource_id=resource.resource_id,
                user_id=principal.subject_id,
                wish=wish,
                seq=seq,
                created_at=now,
                auto_book=request.auto_book,
                notes=request.notes,
                updated_at=now,
                quota_charges=plan.charges,
            )

        entry = self._quota.join(principal, resource, now, decide, limits=plan.limits)
        return self._views([entry])[0]

    def _refuse_hopeless(self, resource: Resource, wish: Wish, now: datetime) -> None:
        """Rules no freed window could ever satisfy refuse the join (422) at once."""
        if not wish.flexible:
            self._fit.check(resource, wish.span, now)
            return
        booking_rules.check_duration(
            resource, TimeRange(wish.span.start, wish.span.start + wish.length)
        )

    # --- reads ------------------------------------------------------------------------------

    def mine(self, principal: Principal, *, limit: int, cursor: str | None) -> EntryPage:
        scope = f"waitlist:{principal.subject_id}"
        items, last = self._entries.for_user(
            principal.subject_id, limit=limit, start_key=self._cursors.decode(cursor, scope=scope)
        )
        return EntryPage(self._views(items), self._cursors.encode(last, scope=scope))

    def show(self, principal: Principal, entry_id: str) -> EntryView:
        return self._views([self.owned(principal, entry_id)])[0]

    def owned(self, principal: Principal, entry_id: str) -> WaitlistEntry:
        """The entry if the caller owns it or is an admin; 404 otherwise (no probing)."""
        entry = self._entries.get(entry_id)
        if entry is None or not visible_to(entry.user_id, principal):
            raise not_found()
        return entry

    def queue(self, principal: Principal, resource_id: str) -> QueueView:
        resource = self._catalog.get(resource_id)
        slots = current(self._entries.queue(resource_id), self._clock.now())
        entries = self._entries.get_many([s.entry_id for s in slots])
        places = positions(slots)
        live = [entries[s.entry_id] for s in slots if s.entry_id in entries]
        offered = sum(1 for e in live if e.status == EntryStatus.OFFERED)
        mine = sorted(places[e.entry_id] for e in live if e.user_id == principal.subject_id)
        listed = None
        if principal.is_admin:
            listed = [EntryView(e, places.get(e.entry_id)) for e in live]
            listed.sort(key=lambda v: v.position or 0)
        return QueueView(resource_id, len(live) - offered, offered, resource.waitlist, listed, mine)

    # --- settings (admins) ------------------------------------------------------------------

    def configure(
        self, principal: Principal, resource_id: str, settings: WaitlistSettings
    ) -> WaitlistSettings:
        require_admin(principal)
        current = self._catalog.get(resource_id)
        stored = self._catalog.save(
            current, replace(current, waitlist=settings, updated_at=self._clock.now())
        )
        return stored.waitlist

    def _views(self, entries: Iterable[WaitlistEntry]) -> list[EntryView]:
        listed = list(entries)
        places: dict[str, int] = {}
        now = self._clock.now()
        for resource_id in {e.resource_id for e in listed if e.live}:
            places.update(positions(current(self._entries.queue(resource_id), now)))
        return [EntryView(e, places.get(e.entry_id) if e.live else None) for e in listed]


def _wish(request: JoinRequest, now: datetime) -> Wish:
    checked = booking_rules.validate_window_input(request.start_time, request.end_time)
    span = TimeRange(to_millis(checked.start), to_millis(checked.end))
    if span.end <= now:
        raise InvalidInput("the wished time is already over", code="window_over")
    duration = None
    if request.duration_minutes is not None:
        duration = timedelta(minutes=request.duration_minutes)
        if duration > span.duration:
            raise InvalidInput(
                "duration_minutes is longer than the range between start_time and end_time",
                code="duration_exceeds_range",
                details={"range_minutes": int(span.duration.total_seconds() // 60)},
            )
    return Wish(span, duration, request.within_hours)
