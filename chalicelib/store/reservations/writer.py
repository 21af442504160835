"""The one booking writer: every write that creates, moves or changes reservations.

- `create`: new reservations (one or many, on one or several resources) in ONE transaction
  with the invariant's day versions, optionally with the Idempotency-Key record and fences
  (an anchor that must still be `creating`);
- `book` / `move`: one reservation created or moved, reading the resource together with the
  day versions (one BatchGetItem) before the caller's rule checks; the versions never leave
  the store;
- `apply` / `apply_many`: lifecycle transitions (`domain.reservations.Changed`), each guarded
  by the reservation's version and the statuses the transition may start from; one that
  leaves the occupying statuses deletes the occupancy item in the same transaction.

Failed conditions become signals here: `ReservationConflict` (a genuine overlap), `StaleItem`
(the reservation changed under us), `DuplicateRequest` (the Idempotency-Key was used by a
concurrent request that committed first), `FenceFailed` (the anchor was rolled back).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.quotas.charge import net
from chalicelib.domain.reservations import (
    Changed,
    HistoryEntry,
    Reservation,
    TimeRange,
    Transition,
    conflicts,
    sources_of,
)
from chalicelib.domain.reservations.conflicts import Buffers, Occupant
from chalicelib.store.audit_stamp import stamp_raw
from chalicelib.store.dynamo import MAX_TRANSACTION_ITEMS, Item, TransactionCancelled, transact
from chalicelib.store.quotas.items import counter_updates
from chalicelib.store.reservations.approvals import (
    approval_items,
    closed_update,
    is_request,
    opened_put,
)
from chalicelib.store.reservations.booking_tx import (
    BookingTransactions,
    Occupation,
    StaleItem,
    Versions,
    Window,
    read_versions_many,
)
from chalicelib.store.reservations.departed import departed_put
from chalicelib.store.reservations.idempotency import IdempotencyClaim, Outcome, claim_put
from chalicelib.store.reservations.items import (
    history_item,
    occupancy_item,
    occupancy_key,
    reservation_item,
    table_name,
)
from chalicelib.store.reservations.no_shows import no_show_updates
from chalicelib.store.reservations.occupied_by import Links

_NEW = "attribute_not_exists(PK)"
ITEMS_PER_BOOKING = 3  # occupancy, reservation, history (+1: a pending one's approval request)
# Up to 5 items a change (+ its departed slot, issue 12), the quota counters on top.
CHANGE_CHUNK = MAX_TRANSACTION_ITEMS // 5


@dataclass(frozen=True)
class Booking:
    """A new reservation, its first history entry, and its resource's buffers."""

    reservation: Reservation
    entry: HistoryEntry
    buffers: Buffers
    # The limit of every quota counter the reservation charges (issue 13).
    quota_limits: Mapping[str, int] = field(default_factory=dict)

    @property
    def window(self) -> Window:
        r = self.reservation
        return Window(r.resource_id, r.window, self.buffers, queued=is_request(r))

    def window_days(self) -> list[date]:
        """The UTC days (day version items) the booking's buffered window touches."""
        return self.buffers.days([self.reservation.window])


@dataclass(frozen=True)
class Move:
    """A reschedule decided by the caller: the transition and the target's buffers."""

    change: Changed
    buffers: Buffers
    quota_limits: Mapping[str, int] = field(default_factory=dict)


class BookingReads(Protocol):
    """The resource read of the booking path (store/catalog/repository.py)."""

    def read_for_booking(
        self, resource_id: str, days: Sequence[date]
    ) -> tuple[Resource, dict[date, int | None], Links]: ...


@dataclass(frozen=True)
class IdempotencyRecord:
    """The Idempotency-Key record to commit with a create, naming what it created."""

    claim: IdempotencyClaim
    entity_id: str
    outcome: Outcome = "created"


class BookingWriter:
    def __init__(
        self,
        ids: IdFactory,
        resources: BookingReads | None = None,
        transactions: BookingTransactions | None = None,
    ) -> None:
        self._ids = ids
        self._resources = resources
        self._tx = transactions or BookingTransactions()

    # --- occupying time -----------------------------------------------------------------------

    def create(
        self,
        bookings: Sequence[Booking],
        *,
        record: IdempotencyRecord | None = None,
        extra: Sequence[Item] = (),
        known_versions: Mapping[str, Mapping[date, int | None]] | None = None,
        known_links: Mapping[str, Links] | None = None,
        known_occupants: Mapping[str, Sequence[Occupant]] | None = None,
    ) -> None:
        """Book all of `bookings` or none. `extra` items (an anchor, fences) commit with them;
        `ReservationConflict.clashes` index into `bookings`."""
        table = table_name()
        items = [item for b in bookings for item in self._booking_items(b, table)]
        more = list(extra)
        idem_index = None
        if record is not None:
            idem_index = len(more)
            at = bookings[0].entry.at
            more.append(claim_put(record.claim, record.entity_id, at, table, record.outcome))
        limits = {k: v for b in bookings for k, v in b.quota_limits.items()}
        self._tx.occupy(
            Occupation(
                windows=tuple(b.window for b in bookings),
                items=tuple(items),
                now=bookings[0].entry.at,
                quota=tuple(quota_items([b.reservation for b in bookings], [], limits, table)),
                extra=tuple(more),
                idempotency_index=idem_index,
                known_versions=dict(known_versions or {}),
                known_links=dict(known_links or {}),
                known_occupants=dict(known_occupants or {}),
            )
        )

    def day_versions(self, wanted: Mapping[str, Sequence[date]]) -> dict[str, Versions]:
        """Day versions of several resources in one read (bulk16): read them BEFORE the
        occupants passed back to `create` as `known_occupants`."""
        return read_versions_many(wanted)

    def book(
        self,
        resource_id: str,
        window: TimeRange,
        decide: Callable[[Resource], Booking],
        *,
        record: Callable[[Booking], IdempotencyRecord | None] = lambda _: None,
    ) -> Reservation:
        """Read the resource with the day versions of `window`, let `decide` check the rules
        and draft the booking, then commit it (the versions read first serve the first attempt)."""
        resource, versions, links = self._read(resource_id, window)
        booking = decide(resource)
        self.create(
            [booking],
            record=record(booking),
            known_versions={resource_id: versions},
            known_links={resource_id: links},
        )
        return booking.reservation

    def move(
        self, resource_id: str, window: TimeRange, decide: Callable[[Resource], Move]
    ) -> Reservation:
        """Reschedule: read the target resource with its day versions, let `decide` draft the
        move, commit it; the reservation's own old slot never conflicts with the new one."""
        resource, versions, links = self._read(resource_id, window)
        return self.relocate(
            decide(resource),
            known_versions={resource_id: versions},
            known_links={resource_id: links},
        )

    def relocate(
        self,
        move: Move,
        *,
        known_versions: Mapping[str, Mapping[date, int | None]] | None = None,
        known_links: Mapping[str, Links] | None = None,
    ) -> Reservation:
        """Commit a reschedule: the new slot under the invariant, the old one freed, the
        reservation guarded by its version."""
        before, after = move.change.before, move.change.after
        table = table_name()
        new_slot = occupancy_item(after).serialize()
        items: list[Item] = [_put(new_slot, table, None)]
        if occupancy_key(before) != occupancy_key(after):
            items[0] = _put(new_slot, table, _NEW)
            items.append({"Delete": {"TableName": table, "Key": occupancy_key(before)}})
        if before.resource_id != after.resource_id:  # the old resource's feed cancels it
            items.append(departed_put(before, move.change.entry.at, table))
        items.append(self._guarded_put(move.change, table))
        items.append(self._history_put(after.reservation_id, move.change.entry, table))
        items += approval_items(move.change, table)
        try:
            self._tx.occupy(
                Occupation(
                    windows=(
                        Window(after.resource_id, after.window, move.buffers, is_request(after)),
                    ),
                    items=tuple(items),
                    now=move.change.entry.at,
                    quota=tuple(quota_items([after], [before], move.quota_limits, table)),
                    ignore_ids=frozenset({before.reservation_id}),
                    known_versions=dict(known_versions or {}),
                    known_links=dict(known_links or {}),
                )
            )
        except StaleItem as exc:
            raise Conflict(
                "the reservation changed while it was being rescheduled; reload and retry",
                code="reservation_changed",
            ) from exc
        return after

    def _read(
        self, resource_id: str, window: TimeRange
    ) -> tuple[Resource, dict[date, int | None], Links]:
        if self._resources is None:
            raise RuntimeError("this writer was built without a resource reader")
        return self._resources.read_for_booking(resource_id, conflicts.utc_days(window))

    # --- lifecycle transitions ------------------------------------------------------------------

    def apply(self, change: Changed, extra: Sequence[Item] = ()) -> Reservation:
        """Commit one transition; raises StaleItem if the reservation moved on meanwhile.
        `extra` items commit with it (the waitlist entry an offer's accept or decline
        settles); a failed condition there is a StaleItem too, naming its index."""
        table = table_name()
        items = self._change_items(change, table)
        try:
            transact([*items, *extra, *given_back([change], table)])
        except TransactionCancelled as exc:
            failed = exc.failed_conditions()
            raise StaleItem(failed[0] if failed else 0) from exc
        return change.after

    def apply_many(
        self,
        changes: Sequence[Changed],
        redo: Callable[[Reservation], Changed | None],
        reread: Callable[[str], Reservation | None],
    ) -> list[Reservation]:
        """Commit transitions 20 per transaction; a chunk that fails (one of them changed
        meanwhile) is redone one by one from a fresh read (`redo` decides again, None skips).
        Returns the reservations actually changed by this call."""
        done: list[Reservation] = []
        for first in range(0, len(changes), CHANGE_CHUNK):
            chunk = changes[first : first + CHANGE_CHUNK]
            table = table_name()
            try:
                items = [item for c in chunk for item in self._change_items(c, table)]
                transact([*items, *given_back(chunk, table)])
                done += [c.after for c in chunk]
            except TransactionCancelled:
                done += redo_each(chunk, redo, reread, self.apply)
        return done

    # --- approvals (issue 10) -------------------------------------------------------------------

    def confirm(
        self,
        change: Changed,
        buffers: Buffers,
        *,
        expected_step: int,
        decisions: str,
        rejections: Sequence[Changed] = (),
        known_versions: Mapping[date, int | None] | None = None,
    ) -> Reservation:
        """Approve the last step: pending -> active under the invariant (the day versions are
        bumped, the neighbours re-read: any confirmed booking, hold or offer overlapping it is a
        ReservationConflict), rejecting the overlapping requests `rejections` in the same
        transaction. StaleItem if the reservation, its request's step, or a rejected request
        changed meanwhile."""
        table = table_name()
        after = change.after
        items = self._change_items(change, table, expected_step=expected_step, decisions=decisions)
        for other in rejections:
            items += self._change_items(other, table)
        self._tx.occupy(
            Occupation(
                windows=(Window(after.resource_id, after.window, buffers),),
                items=tuple(items),
                now=change.entry.at,
                quota=tuple(given_back([change, *rejections], table)),
                ignore_ids=frozenset(
                    {after.reservation_id, *(r.after.reservation_id for r in rejections)}
                ),
                known_versions={after.resource_id: dict(known_versions or {})},
            )
        )
        return after

    def settle(self, change: Changed, *, expected_step: int, decisions: str) -> Reservation:
        """A decision that frees the slot (a rejection), guarded by the request's step."""
        table = table_name()
        items = self._change_items(change, table, expected_step=expected_step, decisions=decisions)
        try:
            transact([*items, *given_back([change], table)])
        except TransactionCancelled as exc:
            raise StaleItem(0) from exc
        return change.after

    def _change_items(
        self,
        change: Changed,
        table: str,
        *,
        expected_step: int | None = None,
        decisions: str | None = None,
    ) -> list[Item]:
        items = [self._guarded_put(change, table)]
        if change.frees_slot:
            items.append({"Delete": {"TableName": table, "Key": occupancy_key(change.before)}})
            items.append(departed_put(change.before, change.entry.at, table))  # feeds (issue 12)
        elif change.after.occupies:
            items.append(_put(occupancy_item(change.after).serialize(), table, None))
        items.append(self._history_put(change.after.reservation_id, change.entry, table))
        if change.transition == Transition.NO_SHOW:
            items += no_show_updates(change.after, change.entry.at, table)
        if expected_step is not None:
            items.append(
                closed_update(change, table, expected_step=expected_step, decisions=decisions)
            )
        else:
            items += approval_items(change, table)
        return items

    # --- item builders ------------------------------------------------------------------------

    def _booking_items(self, booking: Booking, table: str) -> list[Item]:
        reservation, entry = booking.reservation, booking.entry
        items = [
            _put(occupancy_item(reservation).serialize(), table, _NEW),
            _put(_stamped(reservation, entry), table, _NEW),
            self._history_put(reservation.reservation_id, entry, table),
        ]
        if is_request(reservation):
            items.append(opened_put(reservation, entry.at, table))
        return items

    def _history_put(self, reservation_id: str, entry: HistoryEntry, table: str) -> Item:
        item = history_item(reservation_id, entry, self._ids.new_id())
        return _put(item.serialize(), table, _NEW)

    @staticmethod
    def _guarded_put(change: Changed, table: str) -> Item:
        """Replace the reservation item only if nobody changed it since we read it, and only
        from a status the transition may start from."""
        statuses = sorted(s.value for s in sources_of(change.transition))
        values: dict[str, object] = {":v": {"N": str(change.before.version)}}
        values.update({f":s{i}": {"S": s} for i, s in enumerate(statuses)})
        placeholders = ", ".join(f":s{i}" for i in range(len(statuses)))
        put = _put(
            _stamped(change.after, change.entry),
            table,
            f"#ver = :v AND #st IN ({placeholders})",
        )
        put["Put"]["ExpressionAttributeNames"] = {"#ver": "version", "#st": "status"}
        put["Put"]["ExpressionAttributeValues"] = values
        return put


def quota_items(
    taken_by: Sequence[Reservation],
    returned_by: Sequence[Reservation],
    limits: Mapping[str, int],
    table: str,
) -> list[Item]:
    """The usage counter updates of one transaction: per user, the net change of each counter
    (a transaction may touch an item once), positive ones conditioned on their limit."""
    users = sorted({r.user_id for r in (*taken_by, *returned_by)})
    items: list[Item] = []
    for user in users:
        deltas = net(
            [c for r in taken_by if r.user_id == user for c in r.quota_charges],
            [c for r in returned_by if r.user_id == user for c in r.quota_charges],
        )
        items += counter_updates(table, user, deltas, limits)
    return items


def given_back(changes: Sequence[Changed], table: str) -> list[Item]:
    """What transitions return to the quota counters: the charges the reservation held
    before and no longer holds after (lifecycle.kept_charges). Unconditional: the version
    guard of the status change makes it happen exactly once."""
    return quota_items([c.after for c in changes], [c.before for c in changes], {}, table)


def redo_each(
    chunk: Sequence[Changed],
    redo: Callable[[Reservation], Changed | None],
    reread: Callable[[str], Reservation | None],
    apply: Callable[[Changed], Reservation],
) -> list[Reservation]:
    """A chunk whose transaction failed, one change at a time from a fresh read: `redo`
    decides again (None skips), a change still stale is retried up to three times."""
    done = []
    for stale in chunk:
        for _ in range(3):
            current = reread(stale.before.reservation_id)
            change = redo(current) if current is not None else None
            if change is None:
                break
            try:
                done.append(apply(change))
                break
            except StaleItem:
                continue
    return done


def _stamped(reservation: Reservation, entry: HistoryEntry) -> Item:
    """The reservation item plus who wrote it (the audit log reads it off the stream)."""
    return {**reservation_item(reservation, updated_at=entry.at).serialize(), **stamp_raw()}


def _put(item: Item, table: str, condition: str | None) -> Item:
    put: Item = {"TableName": table, "Item": item}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


__all__ = ["Booking", "BookingWriter", "IdempotencyRecord", "Move", "Transition"]
