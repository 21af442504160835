"""Offers: a freed window goes to the first matching entry as a `held` reservation; the user
accepts (the hold becomes active, or pending approval), declines, or lets it lapse; leaving the
queue with an open offer releases it too.

Every write is one conditional transaction through the booking writer: the hold (or the
booking, for auto-book entries) with the entry's change as extra items, so a hold never exists
without its offer, and an entry is never offered twice (its version condition fails for the
second writer: a redelivered event or a racing worker). Releasing a hold puts its reservation
in `expired`, whose `reservation.expired` event brings the worker back to offer the window to
the next entry: decline, lapse, a lost race and a rule that fails at accept all continue the
queue the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, RuleViolation
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import (
    SYSTEM,
    Actor,
    Changed,
    Reservation,
    ReservationStatus,
    TimeRange,
)
from chalicelib.domain.reservations.conflicts import Occupant, ReservationConflict
from chalicelib.domain.waitlist.entries import EntryChange, EntryStatus, Offer, WaitlistEntry
from chalicelib.domain.waitlist.matching import QueueSlot, current, wanted_by
from chalicelib.domain.waitlist.triggers import Freed
from chalicelib.observability import logger
from chalicelib.services.reservations.booking import buffers_of, initial_status
from chalicelib.services.waitlist.entries import WaitlistService
from chalicelib.services.waitlist.fit import Fit
from chalicelib.services.waitlist.ports import Catalog, Entries, Holds, HoldWriter
from chalicelib.store.reservations.booking_tx import FenceFailed, StaleItem
from chalicelib.store.reservations.writer import Booking
from chalicelib.store.waitlist.repository import EntryChanged


class OfferService:
    def __init__(
        self,
        *,
        entries: Entries,
        holds: Holds,
        writer: HoldWriter,
        catalog: Catalog,
        fit: Fit,
        reads: WaitlistService,
        clock: Clock,
        ids: IdFactory,
    ) -> None:
        self._entries = entries
        self._holds = holds
        self._writer = writer
        self._catalog = catalog
        self._fit = fit
        self._reads = reads
        self._clock = clock
        self._ids = ids

    # --- the worker: a window was freed ----------------------------------------------------

    def offer_freed(self, freed: Freed) -> int:
        """Offer what `freed` made available to the waiting entries, FIFO; returns how many
        offers (or auto-bookings) were made."""
        now = self._clock.now()
        queue = self._entries.queue(freed.resource_id)
        self._close_ended([s for s in queue if s.wish.span.end <= now], now)
        if freed.window is not None and freed.window.end <= now:
            return 0  # e.g. a reservation that ended: nothing to offer, the queue is tidied
        slots = [s for s in current(queue, now) if wanted_by(s.wish, freed.window)]
        resource = self._catalog.find(freed.resource_id) if slots else None
        if resource is None:
            return 0
        entries = self._entries.get_many([s.entry_id for s in slots])
        # Every entry is judged against ONE read of the occupants, taken before the first
        # offer. With a read per entry, a window released while the pass was under way (a
        # decline landing between two entries) went to whoever came after the release,
        # jumping the ones judged before it; the release's own event starts a new pass,
        # which offers it in queue order.
        occupants = self._fit.occupants(resource, [s.wish.span for s in slots], now)
        given: list[TimeRange] = []  # windows offered by this pass, FIFO
        lost: list[TimeRange] = []  # windows booked by someone else since the read
        for slot in slots:
            entry = entries.get(slot.entry_id)
            if entry is None or entry.status != EntryStatus.WAITING:
                continue
            window, offered = self._try_offer(resource, entry, now, occupants, given + lost)
            if window is not None:
                (given if offered else lost).append(window)
        return len(given)

    def _close_ended(self, slots: list[QueueSlot], now: datetime) -> None:
        """Entries whose wished time is over leave the queue (an open offer lapses first)."""
        if not slots:
            return
        for entry in self._entries.get_many([s.entry_id for s in slots]).values():
            if entry.status == EntryStatus.OFFERED:
                self._lapse(entry, now)
            elif entry.live:
                self._quietly(entry, entry.expired(now))

    def _try_offer(
        self,
        resource: Resource,
        entry: WaitlistEntry,
        now: datetime,
        occupants: Sequence[Occupant],
        taken: list[TimeRange],
    ) -> tuple[TimeRange | None, bool]:
        """(window, True) when offered (or auto-booked); (window, False) when someone else
        booked it since the pass's read; (None, False) when nothing fits."""
        match = self._fit.match(resource, entry.wish, now, occupants)
        if match.window is None:
            if match.reason and match.reason != entry.reason:
                self._quietly(entry, entry.skipped(match.reason, now))
            return None, False
        if any(match.window.overlaps(w) for w in taken):
            # Given to someone earlier in line by this pass (and perhaps released meanwhile:
            # its own event starts a new pass, which keeps the queue's order), or lost.
            return None, False
        reservation = self._draft(resource, entry, match.window, now)
        if entry.auto_book:
            after = entry.auto_booked(reservation.reservation_id, now)
        else:
            deadline = now + resource.waitlist.offer_ttl
            after = entry.offered(Offer(reservation.reservation_id, match.window, deadline), now)
        details = {"waitlist_entry_id": entry.entry_id, "status": reservation.status.value}
        booking = Booking(
            reservation, reservation.created_entry(SYSTEM, details), buffers_of(resource)
        )
        try:
            self._writer.create([booking], extra=self._entries.change_items(entry, after))
        except ReservationConflict:
            # Booked by someone else since the read (or held by a racing pass): not for the
            # later entries either; the next may still want another part of the range.
            return match.window, False
        except FenceFailed:
            return None, False  # the entry moved on (offered by a racing run, or it left)
        logger.info(
            "waitlist offer made",
            extra={"entry_id": entry.entry_id, "reservation_id": reservation.reservation_id},
        )
        return match.window, True

    def _draft(
        self, resource: Resource, entry: WaitlistEntry, window: TimeRange, now: datetime
    ) -> Reservation:
        status = initial_status(resource) if entry.auto_book else ReservationStatus.HELD
        return Reservation(
            reservation_id=self._ids.new_id(),
            resource_id=resource.resource_id,
            user_id=entry.user_id,
            window=window,
            status=status,
            created_at=now,
            notes=entry.notes,
        )

    # --- the user: accept, decline, leave ---------------------------------------------------

    def accept(self, principal: Principal, entry_id: str) -> tuple[WaitlistEntry, Reservation]:
        """The hold becomes the user's booking (pending approval where the resource needs
        it), if the rules still allow it; else the entry is skipped with the reason (422)."""
        entry = self._reads.owned(principal, entry_id)
        entry.require(EntryChange.ACCEPT)
        now = self._clock.now()
        hold = self._open_hold(entry, now)
        resource = self._catalog.get(entry.resource_id)
        try:
            self._fit.check(resource, hold.window, now)
        except RuleViolation as exc:
            released = hold.expire(SYSTEM, now, exc.message)
            self._commit(released, entry, entry.skipped(exc.message, now))
            raise
        needs_approval = initial_status(resource) == ReservationStatus.PENDING_APPROVAL
        change = hold.accept_offer(Actor.of(principal), now, needs_approval=needs_approval)
        after = entry.accepted(now)
        self._commit(change, entry, after)
        return after, change.after

    def decline(self, principal: Principal, entry_id: str) -> WaitlistEntry:
        entry = self._reads.owned(principal, entry_id)
        entry.require(EntryChange.DECLINE)
        now = self._clock.now()
        hold = self._open_hold(entry, now)
        after = entry.declined(now)
        self._commit(hold.decline_offer(Actor.of(principal), now, "declined"), entry, after)
        return after

    def leave(self, principal: Principal, entry_id: str) -> WaitlistEntry:
        entry = self._reads.owned(principal, entry_id)
        entry.require(EntryChange.LEAVE)
        now = self._clock.now()
        after = entry.left(now)
        hold = self._hold_of(entry)
        if hold is None:
            return self._entries.apply(entry, after)
        self._commit(
            hold.decline_offer(Actor.of(principal), now, "left the waitlist"), entry, after
        )
        return after

    # --- the job: lapsed offers -------------------------------------------------------------

    def expire_offers(self, now: datetime) -> dict[str, int]:
        counts = {"lapsed": 0, "skipped": 0}
        for entry_id in self._entries.lapsed_offers(now):
            entry = self._entries.get(entry_id)
            if entry is None or entry.offer is None or entry.status != EntryStatus.OFFERED:
                counts["skipped"] += 1
                continue
            counts["lapsed" if self._lapse(entry, now) else "skipped"] += 1
        return counts

    def _lapse(self, entry: WaitlistEntry, now: datetime) -> bool:
        hold = self._hold_of(entry)
        try:
            if hold is None:
                self._entries.apply(entry, entry.lapsed(now))
            else:
                change = hold.expire(SYSTEM, now, "waitlist offer not accepted in time")
                self._commit(change, entry, entry.lapsed(now))
        except Conflict:
            return False  # accepted, declined or lapsed by someone else meanwhile
        return True

    # --- shared -----------------------------------------------------------------------------

    def _hold_of(self, entry: WaitlistEntry) -> Reservation | None:
        if entry.offer is None:
            return None
        hold = self._holds.get(entry.offer.reservation_id)
        return hold if hold is not None and hold.status == ReservationStatus.HELD else None

    def _open_hold(self, entry: WaitlistEntry, now: datetime) -> Reservation:
        """The offer's live hold; an offer past its deadline lapses here (409)."""
        hold = self._hold_of(entry)
        if entry.offer is not None and hold is not None and now < entry.offer.expires_at:
            return hold
        self._lapse(entry, now)
        raise Conflict(
            "the offer has expired; the slot went to the next person",
            code="offer_expired",
            details={"entry_id": entry.entry_id},
        )

    def _commit(self, change: Changed, before: WaitlistEntry, after: WaitlistEntry) -> None:
        try:
            self._writer.apply(change, extra=self._entries.change_items(before, after))
        except StaleItem as exc:
            raise EntryChanged() from exc

    def _quietly(self, before: WaitlistEntry, after: WaitlistEntry) -> None:
        """A bookkeeping change the worker may lose to a concurrent one without harm."""
        try:
            self._entries.apply(before, after)
        except EntryChanged:
            logger.info("waitlist entry changed meanwhile", extra={"entry_id": before.entry_id})
