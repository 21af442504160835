"""In-memory fakes of the reservation ports (chalicelib/services/reservations/ports.py).

One `FakeTable` holds the state every fake reads and writes, as the single DynamoDB table does
for the real adapters; each fake honours its adapter's semantics, which the contract tests in
tests/integration/contract/ check against both:
- the writer refuses overlaps with `find_conflicts` (`ReservationConflict`, clashes indexed by
  booking), refuses an existing reservation id or a stale change (`StaleItem`), a live
  Idempotency-Key record (`DuplicateRequest`) and a fence whose anchor moved on (`FenceFailed`),
  and commits all of a call or nothing;
- anchors move on only from the version they were read at (`Conflict` `series_changed` /
  `batch_changed`).
The items an anchor store hands out (`anchor_put`, `still_creating`) are `AnchorPut` and
`Fence` tokens here, understood by `FakeWriter` only. The anchor, Idempotency-Key and
catalogue fakes, and `FakeReservationWorld` (all of them over one table), are in
tests/fakes/reservation_anchors.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import Conflict
from chalicelib.domain.reservations import (
    Changed,
    HistoryEntry,
    Reservation,
    ReservationStatus,
    TimeRange,
    sources_of,
)
from chalicelib.domain.reservations.bulk import BulkBatch
from chalicelib.domain.reservations.conflicts import (
    Buffers,
    Occupant,
    ReservationConflict,
    find_conflicts,
)
from chalicelib.domain.reservations.series import Series
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.services.reservations.ports import ResourceCatalog
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.booking_tx import DuplicateRequest, FenceFailed, StaleItem
from chalicelib.store.reservations.idempotency import (
    RETENTION,
    IdempotencyClaim,
    IdempotencyRecord,
    Outcome,
)
from chalicelib.store.reservations.writer import CHANGE_CHUNK, Booking, Move, redo_each
from chalicelib.store.reservations.writer import IdempotencyRecord as RecordToWrite

AnchorKind = Literal["BULK", "SERIES"]
Anchor = Series | BulkBatch


@dataclass
class StoredRecord:
    record: IdempotencyRecord
    expires_at: int  # epoch seconds, as the real item's TTL attribute


@dataclass
class FakeTable:
    """The whole in-memory world: what the single table holds for these fakes."""

    reservations: dict[str, Reservation] = field(default_factory=dict)
    history: dict[str, list[HistoryEntry]] = field(default_factory=dict)
    records: dict[tuple[str, str], StoredRecord] = field(default_factory=dict)
    anchors: dict[tuple[AnchorKind, str], Anchor] = field(default_factory=dict)
    # Actions run just before the n-th write (1-based): a competing booking, a recovery run.
    before_write: dict[int, Callable[[], None]] = field(default_factory=dict)
    writes: int = 0

    def occupants_of(self, resource_id: str) -> list[Occupant]:
        return [
            Occupant.of(r)
            for r in self.reservations.values()
            if r.resource_id == resource_id and r.occupies
        ]

    def live_record(self, claim: IdempotencyClaim, now: datetime) -> StoredRecord | None:
        stored = self.records.get((claim.user_id, claim.key))
        if stored is None or stored.expires_at <= epoch_seconds(now):
            return None
        return stored

    def put_record(
        self,
        claim: IdempotencyClaim,
        outcome: Outcome,
        now: datetime,
        *,
        entity_id: str | None = None,
        details: Any = None,
    ) -> None:
        # The real item keeps the details as JSON: what comes back is what JSON can say.
        kept = None if details is None else json.loads(json.dumps(details, default=str))
        self.records[(claim.user_id, claim.key)] = StoredRecord(
            IdempotencyRecord(outcome, claim.fingerprint, entity_id, kept),
            epoch_seconds(now + RETENTION),
        )

    def write_hook(self) -> None:
        """Every write of a fake calls this first (counted whether it commits or not)."""
        self.writes += 1
        action = self.before_write.pop(self.writes, None)
        if action is not None:
            action()


@dataclass(frozen=True)
class AnchorPut:
    """The fake's `anchor_put` item: create this anchor if it does not exist."""

    kind: AnchorKind
    anchor: Anchor


@dataclass(frozen=True)
class Fence:
    """The fake's `still_creating` item: the anchor is `creating` at `version`."""

    kind: AnchorKind
    entity_id: str
    version: int


def token(value: AnchorPut | Fence) -> Item:
    return {"fake": value}


def id_of(anchor: Anchor) -> str:
    return anchor.series_id if isinstance(anchor, Series) else anchor.batch_id


# --- reads -----------------------------------------------------------------------------------


class FakeReservations:
    """ReservationReads over a FakeTable."""

    def __init__(self, table: FakeTable) -> None:
        self._table = table

    def get(self, reservation_id: str) -> Reservation | None:
        return self._table.reservations.get(reservation_id)

    def get_many(self, ids: Sequence[str]) -> list[Reservation]:
        found = self._table.reservations
        return [found[rid] for rid in dict.fromkeys(ids) if rid in found]

    def history(
        self, reservation_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[HistoryEntry], dict[str, Any] | None]:
        entries = sorted(self._table.history.get(reservation_id, []), key=lambda e: e.at)
        first = int(start_key["offset"]) if start_key else 0
        page = entries[first : first + limit]
        more = first + limit < len(entries)
        return page, {"offset": first + limit} if more else None

    def occupants(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> list[Occupant]:
        return self._table.occupants_of(resource_id)


# --- the writer ------------------------------------------------------------------------------


class FakeWriter:
    """ReservationWriter over a FakeTable; `catalog` (e.g. FakeCatalog) serves `book` / `move`."""

    def __init__(self, table: FakeTable, catalog: ResourceCatalog | None = None) -> None:
        self._table = table
        self._catalog = catalog

    def day_versions(
        self, wanted: Mapping[str, Sequence[date]]
    ) -> dict[str, dict[date, int | None]]:
        """No day versions here: every write checks the whole table under its lock."""
        return {rid: dict.fromkeys(days) for rid, days in wanted.items()}

    def create(
        self,
        bookings: Sequence[Booking],
        *,
        record: RecordToWrite | None = None,
        extra: Sequence[Item] = (),
        known_versions: Mapping[str, Mapping[date, int | None]] | None = None,
        known_occupants: Mapping[str, Sequence[Occupant]] | None = None,
    ) -> None:
        self._table.write_hook()
        table = self._table
        clashes: dict[int, list[Occupant]] = {}
        for index, booking in enumerate(bookings):
            r = booking.reservation
            found = find_conflicts(
                r.window,
                table.occupants_of(r.resource_id),
                booking.buffers,
                queued=r.status == ReservationStatus.PENDING_APPROVAL,
            )
            if found:
                clashes[index] = found
        if clashes:
            raise ReservationConflict(clashes)
        for index, booking in enumerate(bookings):
            if booking.reservation.reservation_id in table.reservations:
                raise StaleItem(index * 3 + 1)  # the reservation item's position
        tokens = [item["fake"] for item in extra]
        for token in tokens:
            self._check(token)
        now = bookings[0].entry.at
        if record is not None and table.live_record(record.claim, now) is not None:
            raise DuplicateRequest()
        for booking in bookings:
            rid = booking.reservation.reservation_id
            table.reservations[rid] = booking.reservation
            table.history.setdefault(rid, []).append(booking.entry)
        for token in tokens:
            if isinstance(token, AnchorPut):
                table.anchors[(token.kind, id_of(token.anchor))] = token.anchor
        if record is not None:
            table.put_record(record.claim, record.outcome, now, entity_id=record.entity_id)

    def _check(self, token: AnchorPut | Fence) -> None:
        anchors = self._table.anchors
        if isinstance(token, AnchorPut):
            if (token.kind, id_of(token.anchor)) in anchors:
                raise FenceFailed()
            return
        current = anchors.get((token.kind, token.entity_id))
        if current is None or current.version != token.version or current.status != "creating":
            raise FenceFailed()

    def book(
        self,
        resource_id: str,
        window: TimeRange,
        decide: Callable[[Resource], Booking],
        *,
        record: Callable[[Booking], RecordToWrite | None] = lambda _: None,
    ) -> Reservation:
        booking = decide(self._resource(resource_id))
        self.create([booking], record=record(booking))
        return booking.reservation

    def move(
        self, resource_id: str, window: TimeRange, decide: Callable[[Resource], Move]
    ) -> Reservation:
        return self.relocate(decide(self._resource(resource_id)))

    def relocate(
        self, move: Move, *, known_versions: Mapping[str, Mapping[date, int | None]] | None = None
    ) -> Reservation:
        self._table.write_hook()
        before, after = move.change.before, move.change.after
        occupants = self._table.occupants_of(after.resource_id)
        found = find_conflicts(
            after.window,
            occupants,
            move.buffers,
            ignore_ids={before.reservation_id},
            queued=after.status == ReservationStatus.PENDING_APPROVAL,
        )
        if found:
            raise ReservationConflict({0: found})
        if not self._fresh(move.change):
            raise Conflict(
                "the reservation changed while it was being rescheduled; reload and retry",
                code="reservation_changed",
            )
        self._commit(move.change)
        return after

    def apply(self, change: Changed) -> Reservation:
        self._table.write_hook()
        if not self._fresh(change):
            raise StaleItem(0)
        self._commit(change)
        return change.after

    def apply_many(
        self,
        changes: Sequence[Changed],
        redo: Callable[[Reservation], Changed | None],
        reread: Callable[[str], Reservation | None],
    ) -> list[Reservation]:
        done: list[Reservation] = []
        for first in range(0, len(changes), CHANGE_CHUNK):
            chunk = changes[first : first + CHANGE_CHUNK]
            self._table.write_hook()
            if all(self._fresh(c) for c in chunk):
                for change in chunk:
                    self._commit(change)
                done += [c.after for c in chunk]
            else:
                done += redo_each(chunk, redo, reread, self.apply)
        return done

    def _fresh(self, change: Changed) -> bool:
        """The real guard: `version = :read AND status IN sources_of(transition)`."""
        current = self._table.reservations.get(change.before.reservation_id)
        return (
            current is not None
            and current.version == change.before.version
            and current.status in sources_of(change.transition)
        )

    def _commit(self, change: Changed) -> None:
        rid = change.after.reservation_id
        self._table.reservations[rid] = change.after
        self._table.history.setdefault(rid, []).append(change.entry)

    def _resource(self, resource_id: str) -> Resource:
        if self._catalog is None:
            raise RuntimeError("this writer was built without a resource reader")
        return self._catalog.get(resource_id)
