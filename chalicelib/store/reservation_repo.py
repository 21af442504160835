"""Reading and changing single reservations; every change is one conditional transaction.

Failed conditions become domain signals here: `SlotTaken` (a genuine overlap), `StaleItem`
(the reservation changed under us: re-read), `DuplicateRequest` (the Idempotency-Key was
used by a concurrent request that committed first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from chalicelib.domain import conflicts
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.reservations import (
    OCCUPYING,
    HistoryEntry,
    Reservation,
    ReservationStatus,
)
from chalicelib.store.audit_stamp import stamp_raw
from chalicelib.store.booking_tx import (
    BookingTransactions,
    Buffers,
    Claim,
    StaleItem,
    TransactionCancelled,
    transact,
)
from chalicelib.store.idempotency import IdempotencyClaim, claim_put
from chalicelib.store.reservations import (
    HISTORY_PREFIX,
    META,
    ReservationItem,
    history_from_raw,
    history_item,
    key,
    occupancy_item,
    occupancy_key,
    reservation_from_raw,
    reservation_item,
    reservation_pk,
    table_name,
)
from chalicelib.store.table import raw_client

_NEW = "attribute_not_exists(PK)"
MAX_TRANSACTION_ITEMS = 100
ITEMS_PER_BOOKING = 3  # occupancy, reservation, history
CANCEL_CHUNK = MAX_TRANSACTION_ITEMS // 3


def plan_chunks(reservations: Sequence[Reservation], buffers: Buffers) -> list[list[Reservation]]:
    """Split bookings of one resource into transactions of at most 100 items: three per
    booking plus one version item per UTC day the chunk touches."""
    widen = {"buffer_before": buffers.before, "buffer_after": buffers.after}
    chunks: list[list[Reservation]] = []
    current: list[Reservation] = []
    days: set[date] = set()
    for reservation in reservations:
        mine = set(conflicts.utc_days(reservation.window, **widen))
        size = ITEMS_PER_BOOKING * (len(current) + 1) + len(days | mine)
        if current and size > MAX_TRANSACTION_ITEMS:
            chunks.append(current)
            current, days = [], set()
        current.append(reservation)
        days |= mine
    if current:
        chunks.append(current)
    return chunks


class ReservationRepository:
    def __init__(self, ids: IdFactory, transactions: BookingTransactions | None = None) -> None:
        self._ids = ids
        self._tx = transactions or BookingTransactions()

    # --- reads ------------------------------------------------------------------------------

    def get(self, reservation_id: str) -> Reservation | None:
        client = raw_client()
        raw = client.get_item(
            TableName=table_name(),
            Key=key(reservation_pk(reservation_id), META),
            ConsistentRead=True,
        ).get("Item")
        return reservation_from_raw(raw) if raw else None

    def history(
        self, reservation_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[HistoryEntry], dict[str, Any] | None]:
        """Oldest first, one page at a time."""
        client = raw_client()
        kwargs: dict[str, Any] = {
            "TableName": table_name(),
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :h)",
            "ExpressionAttributeValues": {
                ":pk": {"S": reservation_pk(reservation_id)},
                ":h": {"S": HISTORY_PREFIX},
            },
            "ConsistentRead": True,
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = client.query(**kwargs)
        entries = [history_from_raw(raw) for raw in response.get("Items", [])]
        return entries, response.get("LastEvaluatedKey")

    # --- writes -----------------------------------------------------------------------------

    def create(
        self,
        reservation: Reservation,
        entry: HistoryEntry,
        buffers: Buffers,
        idempotency: IdempotencyClaim | None = None,
        versions: Mapping[date, int | None] | None = None,
    ) -> Reservation:
        """Book: occupancy + reservation + history (+ idempotency record), all or nothing.
        `versions`: day versions the caller already read (see `Claim.versions`)."""
        table = table_name()
        items = [
            _put(occupancy_item(reservation).serialize(), table, _NEW),
            _put(_stamped(reservation_item(reservation, updated_at=entry.at)), table, _NEW),
            self._history_put(reservation.reservation_id, entry, table),
        ]
        idem_index = None
        if idempotency is not None:
            idem_index = len(items)
            items.append(claim_put(idempotency, reservation.reservation_id, entry.at, table))
        self._tx.occupy(
            Claim(
                resource_id=reservation.resource_id,
                window=reservation.window,
                buffers=buffers,
                now=entry.at,
                items=items,
                idempotency_index=idem_index,
                versions=versions,
            )
        )
        return reservation

    def reschedule(
        self,
        current: Reservation,
        updated: Reservation,
        entry: HistoryEntry,
        buffers: Buffers,
        versions: Mapping[date, int | None] | None = None,
    ) -> Reservation:
        """Move an occupying reservation; its own old slot never conflicts with the new one."""
        table = table_name()
        updated = replace(updated, version=current.version + 1)
        new_slot = occupancy_item(updated).serialize()
        items = [_put(new_slot, table, None)]
        if occupancy_key(current) != occupancy_key(updated):
            items[0] = _put(new_slot, table, _NEW)
            items.append({"Delete": {"TableName": table, "Key": occupancy_key(current)}})
        items.append(self._guarded_put(current, updated, entry, table, OCCUPYING))
        items.append(self._history_put(updated.reservation_id, entry, table))
        try:
            self._tx.occupy(
                Claim(
                    resource_id=updated.resource_id,
                    window=updated.window,
                    buffers=buffers,
                    now=entry.at,
                    items=items,
                    ignore_id=current.reservation_id,
                    versions=versions,
                )
            )
        except StaleItem as exc:
            raise Conflict(
                "the reservation changed while it was being rescheduled; reload and retry",
                code="reservation_changed",
            ) from exc
        return updated

    def change_status(
        self,
        current: Reservation,
        new_status: ReservationStatus,
        entry: HistoryEntry,
        *,
        from_statuses: Iterable[ReservationStatus],
        cancel_reason: str = "",
    ) -> Reservation:
        """One transition (cancel, approve, reject, expire...); frees the slot when leaving
        the occupying statuses. Raises StaleItem if the reservation moved on meanwhile."""
        table = table_name()
        updated = replace(
            current,
            status=new_status,
            version=current.version + 1,
            cancel_reason=cancel_reason or current.cancel_reason,
        )
        items = [self._guarded_put(current, updated, entry, table, from_statuses)]
        if current.occupies and not updated.occupies:
            items.append({"Delete": {"TableName": table, "Key": occupancy_key(current)}})
        elif updated.occupies:
            items.append(_put(occupancy_item(updated).serialize(), table, None))
        items.append(self._history_put(updated.reservation_id, entry, table))
        try:
            transact(items)
        except TransactionCancelled as exc:
            raise StaleItem(0) from exc
        return updated

    def create_many(
        self, reservations: Sequence[Reservation], entries: Sequence[HistoryEntry], buffers: Buffers
    ) -> None:
        """Book several reservations of ONE resource in ONE transaction (a chunk of a series,
        see `plan_chunks`); `SlotTaken.by_window` indexes into `reservations`."""
        table = table_name()
        items: list[dict[str, Any]] = []
        for reservation, entry in zip(reservations, entries, strict=True):
            items += [
                _put(occupancy_item(reservation).serialize(), table, _NEW),
                _put(_stamped(reservation_item(reservation, updated_at=entry.at)), table, _NEW),
                self._history_put(reservation.reservation_id, entry, table),
            ]
        first, *rest = reservations
        self._tx.occupy(
            Claim(
                resource_id=first.resource_id,
                window=first.window,
                buffers=buffers,
                now=entries[0].at,
                items=items,
                more_windows=tuple(r.window for r in rest),
            )
        )

    def cancel_many(
        self, reservations: Sequence[Reservation], entry: HistoryEntry, reason: str
    ) -> list[Reservation]:
        """Cancel occupying reservations, 33 per transaction; a chunk that fails (one of them
        changed meanwhile) is redone one by one, skipping those no longer occupying.
        Returns the reservations actually cancelled by this call."""
        done: list[Reservation] = []
        live = [r for r in reservations if r.occupies]
        for first in range(0, len(live), CANCEL_CHUNK):
            chunk = live[first : first + CANCEL_CHUNK]
            try:
                done += self._cancel_chunk(chunk, entry, reason)
            except StaleItem:
                done += self._cancel_each(chunk, entry, reason)
        return done

    def _cancel_chunk(
        self, chunk: Sequence[Reservation], entry: HistoryEntry, reason: str
    ) -> list[Reservation]:
        table = table_name()
        items: list[dict[str, Any]] = []
        updated = []
        for current in chunk:
            after = replace(
                current,
                status=ReservationStatus.CANCELLED,
                version=current.version + 1,
                cancel_reason=reason,
            )
            updated.append(after)
            items += [
                self._guarded_put(current, after, entry, table, OCCUPYING),
                {"Delete": {"TableName": table, "Key": occupancy_key(current)}},
                self._history_put(current.reservation_id, entry, table),
            ]
        try:
            transact(items)
        except TransactionCancelled as exc:
            raise StaleItem(0) from exc
        return updated

    def _cancel_each(
        self, chunk: Sequence[Reservation], entry: HistoryEntry, reason: str
    ) -> list[Reservation]:
        done = []
        for stale in chunk:
            for _ in range(3):
                current = self.get(stale.reservation_id)
                if current is None or not current.occupies:
                    break
                try:
                    done.append(
                        self.change_status(
                            current,
                            ReservationStatus.CANCELLED,
                            entry,
                            from_statuses=OCCUPYING,
                            cancel_reason=reason,
                        )
                    )
                    break
                except StaleItem:
                    continue
        return done

    # --- item builders ----------------------------------------------------------------------

    def _history_put(self, reservation_id: str, entry: HistoryEntry, table: str) -> dict[str, Any]:
        item = history_item(reservation_id, entry, self._ids.new_id())
        return _put(item.serialize(), table, _NEW)

    @staticmethod
    def _guarded_put(
        current: Reservation,
        updated: Reservation,
        entry: HistoryEntry,
        table: str,
        from_statuses: Iterable[ReservationStatus],
    ) -> dict[str, Any]:
        """Replace the reservation item only if nobody changed it since we read it."""
        statuses = sorted(s.value for s in from_statuses)
        values: dict[str, Any] = {":v": {"N": str(current.version)}}
        values.update({f":s{i}": {"S": s} for i, s in enumerate(statuses)})
        placeholders = ", ".join(f":s{i}" for i in range(len(statuses)))
        put = _put(
            _stamped(reservation_item(updated, updated_at=entry.at)),
            table,
            f"#ver = :v AND #st IN ({placeholders})",
        )
        put["Put"]["ExpressionAttributeNames"] = {"#ver": "version", "#st": "status"}
        put["Put"]["ExpressionAttributeValues"] = values
        return put


def _stamped(item: ReservationItem) -> dict[str, Any]:
    """The reservation item plus who wrote it (the audit log reads it off the stream)."""
    return {**item.serialize(), **stamp_raw()}


def _put(item: dict[str, Any], table: str, condition: str | None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table, "Item": item}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}
