"""Bulk batches and their multi-resource booking transactions.

Items (single table, docs/data-model.md "Reservations"):

- bulk batch: `BULK#<id>` / `META`; GSI1 `USER#<uid>` / `BULK#<created>#<id>`;
- the "creating" index: while a bulk batch or a series is `creating` it also carries GSI2
  `CREATING` / `<created>#<kind>#<id>` (sparse: the entry vanishes with the status), so the
  recovery job finds stuck anchors with one query instead of a scan.

A chunk of a bulk request may span several resources: `BulkTransactions.occupy` is the
booking invariant of store/booking_tx.py for several resources at once (versions of every
(resource, UTC day) first, then each resource's neighbours, then one transaction that bumps
every version it read), plus a `ConditionCheck` that the batch is still `creating`, so a
chunk can never land after the recovery job rolled the batch back.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain import conflicts
from chalicelib.domain.bulk import BatchStatus, BulkBatch
from chalicelib.domain.errors import Conflict, TooManyRequests
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.reservations import HistoryEntry, Reservation
from chalicelib.domain.timeutil import iso_z
from chalicelib.store.anchors import (
    StuckAnchor,
    creating_index,
    put_if_version,
    put_new_anchor,
    stuck_anchors,
)
from chalicelib.store.audit_stamp import stamp_raw
from chalicelib.store.booking_tx import (
    MAX_ATTEMPTS,
    Buffers,
    DuplicateRequest,
    Occupant,
    SlotTaken,
    TransactionCancelled,
    day_bumps,
    find_conflicts,
    occupants_around,
    read_versions,
    transact,
)
from chalicelib.store.idempotency import IdempotencyClaim
from chalicelib.store.reservations import (
    META,
    history_item,
    key,
    occupancy_item,
    parse_instant,
    reservation_from_raw,
    reservation_item,
    reservation_pk,
    table_name,
    user_pk,
)
from chalicelib.store.table import TableItem, raw_client

_NEW = "attribute_not_exists(PK)"


def bulk_pk(batch_id: str) -> str:
    return f"BULK#{batch_id}"


class BulkBatchItem(TableItem, discriminator="bulk_batch"):  # type: ignore[call-arg]
    batch_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    reservation_ids = ListAttribute(of=UnicodeAttribute, null=True)
    failure = UnicodeAttribute(null=True)  # JSON
    version = NumberAttribute()


def _item(batch: BulkBatch, updated_at: datetime) -> dict[str, Any]:
    item = BulkBatchItem(
        PK=bulk_pk(batch.batch_id),
        SK=META,
        GSI1PK=user_pk(batch.user_id),
        GSI1SK=f"BULK#{iso_z(batch.created_at)}#{batch.batch_id}",
        batch_id=batch.batch_id,
        user_id=batch.user_id,
        status=batch.status.value,
        created_at=iso_z(batch.created_at),
        updated_at=iso_z(updated_at),
        reservation_ids=list(batch.reservation_ids) or None,
        failure=json.dumps(batch.failure) if batch.failure else None,
        version=batch.version,
    )
    raw: dict[str, Any] = {**item.serialize(), **stamp_raw()}
    if batch.status == BatchStatus.CREATING:
        raw.update(creating_index("BULK", batch.batch_id, batch.created_at))
    return raw


def _from_raw(raw: dict[str, Any]) -> BulkBatch:
    item = BulkBatchItem.from_raw_data(raw)
    return BulkBatch(
        batch_id=item.batch_id,
        user_id=item.user_id,
        status=BatchStatus(item.status),
        created_at=parse_instant(item.created_at),
        reservation_ids=tuple(str(i) for i in item.reservation_ids or ()),
        failure=json.loads(item.failure) if item.failure else {},
        version=int(item.version),
    )


class BulkRepository:
    def get(self, batch_id: str) -> BulkBatch | None:
        raw = (
            raw_client()
            .get_item(TableName=table_name(), Key=key(bulk_pk(batch_id), META), ConsistentRead=True)
            .get("Item")
        )
        return _from_raw(raw) if raw else None

    def anchor_put(self, batch: BulkBatch) -> dict[str, Any]:
        """The transaction item that creates the batch."""
        return {"Put": {"TableName": table_name(), "Item": _item(batch, batch.created_at)}}

    def start(self, batch: BulkBatch, claim: IdempotencyClaim | None) -> None:
        """Put the `creating` batch (and the Idempotency-Key record, which then points here)."""
        item = _item(batch, batch.created_at)
        put_new_anchor(item, claim, batch.batch_id, batch.created_at, "bulk")

    def transition(
        self, batch: BulkBatch, status: BatchStatus, at: datetime, **changes: Any
    ) -> BulkBatch:
        """Move the batch on, if nobody else did since it was read (409 otherwise)."""
        updated = replace(batch, status=status, version=batch.version + 1, **changes)
        changed = Conflict("the batch changed meanwhile", code="batch_changed")
        put_if_version(_item(updated, at), batch.version, changed)
        return updated

    def still_creating(self, batch: BulkBatch) -> dict[str, Any]:
        """A ConditionCheck: the batch has not moved on since it was started."""
        return {
            "ConditionCheck": {
                "TableName": table_name(),
                "Key": key(bulk_pk(batch.batch_id), META),
                "ConditionExpression": "#v = :v AND #s = :creating",
                "ExpressionAttributeNames": {"#v": "version", "#s": "status"},
                "ExpressionAttributeValues": {
                    ":v": {"N": str(batch.version)},
                    ":creating": {"S": BatchStatus.CREATING.value},
                },
            }
        }

    @staticmethod
    def stuck(created_before: datetime, *, limit: int = 100) -> list[StuckAnchor]:
        """Anchors (batches and series) still `creating` created before the cutoff."""
        return stuck_anchors(created_before, limit=limit)


def reservations_by_id(ids: Sequence[str]) -> list[Reservation]:
    """The reservations that exist among `ids`, in the order of `ids` (consistent BatchGet)."""
    client = raw_client()
    table = table_name()
    found: dict[str, Reservation] = {}
    unique = list(dict.fromkeys(ids))
    for first in range(0, len(unique), 100):
        keys = [key(reservation_pk(rid), META) for rid in unique[first : first + 100]]
        request: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": True}}
        while request:
            response = client.batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(table, []):
                reservation = reservation_from_raw(raw)
                found[reservation.reservation_id] = reservation
            request = response.get("UnprocessedKeys") or {}
    return [found[rid] for rid in ids if rid in found]


# --- the multi-resource claim ------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    reservation: Reservation
    entry: HistoryEntry
    buffers: Buffers


@dataclass(frozen=True)
class BulkChunk:
    """Bookings (possibly of several resources) committed in one transaction with `extra`
    items (the batch anchor, an Idempotency-Key record, a ConditionCheck on the batch)."""

    bookings: tuple[Booking, ...]
    now: datetime
    extra: tuple[dict[str, Any], ...] = ()
    idempotency_index: int | None = None  # within `extra`


class BatchLost(Exception):
    """The batch is no longer `creating` (the recovery job rolled it back)."""


@dataclass
class BulkSnapshot:
    versions: dict[str, dict[date, int | None]]
    occupants: dict[str, list[Occupant]]


class BulkTransactions:
    """Runs chunks with bounded, jittered retries; never sleeps on a genuine conflict."""

    def __init__(
        self,
        ids: IdFactory,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._ids = ids
        self._sleep = sleep
        self._jitter = jitter

    def occupy(self, chunk: BulkChunk) -> None:
        """Raises SlotTaken (`by_window` indexes into `chunk.bookings`), DuplicateRequest,
        BatchLost, or TooManyRequests after MAX_ATTEMPTS lost version races."""
        items = [item for booking in chunk.bookings for item in self._booking_items(booking)]
        for attempt in range(MAX_ATTEMPTS):
            snapshot = self.snapshot(chunk.bookings, chunk.now)
            _refuse_overlaps(chunk.bookings, snapshot.occupants)
            bumps = [b for rid, seen in snapshot.versions.items() for b in day_bumps(rid, seen)]
            try:
                transact([*bumps, *items, *chunk.extra])
                return
            except TransactionCancelled as exc:
                _classify(exc, len(bumps), len(bumps) + len(items), chunk.idempotency_index)
            self._sleep((0.002 + 0.004 * self._jitter()) * (attempt + 1))
        raise TooManyRequests(
            "the resources are very busy right now; please retry",
            retry_after=1,
            code="booking_contention",
        )

    def snapshot(self, bookings: Sequence[Booking], now: datetime) -> BulkSnapshot:
        """Per resource: versions FIRST, then neighbours (see store/booking_tx.py)."""
        versions: dict[str, dict[date, int | None]] = {}
        occupants: dict[str, list[Occupant]] = {}
        for resource_id, group in _by_resource(bookings).items():
            buffers = group[0].buffers
            widen = {"buffer_before": buffers.before, "buffer_after": buffers.after}
            windows = [b.reservation.window for b in group]
            days = sorted({d for w in windows for d in conflicts.utc_days(w, **widen)})
            versions[resource_id] = read_versions(resource_id, days)
            occupants[resource_id] = occupants_around(resource_id, windows, buffers, now)
        return BulkSnapshot(versions, occupants)

    def _booking_items(self, booking: Booking) -> list[dict[str, Any]]:
        table = table_name()
        reservation, entry = booking.reservation, booking.entry
        stored = {**reservation_item(reservation, updated_at=entry.at).serialize(), **stamp_raw()}
        history = history_item(reservation.reservation_id, entry, self._ids.new_id())
        return [
            _put(occupancy_item(reservation).serialize(), table),
            _put(stored, table),
            _put(history.serialize(), table),
        ]


def _by_resource(bookings: Iterable[Booking]) -> dict[str, list[Booking]]:
    groups: dict[str, list[Booking]] = {}
    for booking in bookings:
        groups.setdefault(booking.reservation.resource_id, []).append(booking)
    return groups


def _refuse_overlaps(bookings: Sequence[Booking], occupants: dict[str, list[Occupant]]) -> None:
    by_window: dict[int, list[Occupant]] = {}
    for index, booking in enumerate(bookings):
        found = find_conflicts(
            booking.reservation.window, occupants[booking.reservation.resource_id], booking.buffers
        )
        if found:
            by_window[index] = found
    if by_window:
        unique = {o.reservation_id: o for found in by_window.values() for o in found}
        ordered = sorted(unique.values(), key=lambda o: (o.window.start, o.reservation_id))
        raise SlotTaken(ordered, by_window)


def _classify(exc: TransactionCancelled, n_bumps: int, n_fixed: int, idem: int | None) -> None:
    """Return if the transaction should simply be re-run; raise otherwise."""
    for index, code in enumerate(exc.reasons):
        if code in (None, "None", "TransactionConflict"):
            continue
        if index < n_bumps and code == "ConditionalCheckFailed":
            continue  # a day version moved: someone booked that day; re-read
        if index >= n_fixed and code == "ConditionalCheckFailed":
            if idem is not None and index - n_fixed == idem:
                raise DuplicateRequest() from exc
            raise BatchLost() from exc
        raise exc.error from exc


def _put(item: dict[str, Any], table: str) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": item, "ConditionExpression": _NEW}}
