"""In-memory fakes of the anchor, Idempotency-Key and catalogue ports, and the world that builds
every reservation fake over one FakeTable (see tests/fakes/reservations.py for the semantics)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.reservations import Reservation
from chalicelib.domain.reservations.bulk import BatchStatus, BulkBatch
from chalicelib.domain.reservations.series import Series, SeriesStatus
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.anchors import StuckAnchor
from chalicelib.store.reservations.booking_tx import DuplicateRequest
from chalicelib.store.reservations.idempotency import IdempotencyClaim, IdempotencyRecord, Outcome
from tests.fakes.reservations import (
    AnchorKind,
    AnchorPut,
    FakeReservations,
    FakeTable,
    FakeWriter,
    Fence,
    id_of,
    token,
)

A = TypeVar("A", Series, BulkBatch)


# --- anchors ---------------------------------------------------------------------------------


class _FakeAnchors(Generic[A]):
    kind: AnchorKind
    changed_code: str
    changed_message: str

    def __init__(self, table: FakeTable) -> None:
        self._table = table

    def _get(self, entity_id: str) -> A | None:
        found = self._table.anchors.get((self.kind, entity_id))
        return found  # type: ignore[return-value]  # keyed by kind: always an A

    def anchor_put(self, anchor: A) -> Item:
        return token(AnchorPut(self.kind, anchor))

    def still_creating(self, anchor: A) -> Item:
        return token(Fence(self.kind, id_of(anchor), anchor.version))

    def start(self, anchor: A, claim: IdempotencyClaim | None) -> None:
        self._table.write_hook()
        if claim is not None and self._table.live_record(claim, anchor.created_at) is not None:
            raise DuplicateRequest()
        key = (self.kind, id_of(anchor))
        if key in self._table.anchors:
            raise RuntimeError(f"anchor {key} exists already")  # a ClientError for the real one
        self._table.anchors[key] = anchor
        if claim is not None:
            outcome: Outcome = "series" if self.kind == "SERIES" else "bulk"
            self._table.put_record(claim, outcome, anchor.created_at, entity_id=id_of(anchor))

    def _transition(self, anchor: A, status: Any, changes: dict[str, Any]) -> A:
        self._table.write_hook()
        current = self._get(id_of(anchor))
        if current is None or current.version != anchor.version:
            raise Conflict(self.changed_message, code=self.changed_code)
        updated: A = replace(anchor, status=status, version=anchor.version + 1, **changes)
        self._table.anchors[(self.kind, id_of(anchor))] = updated
        return updated


class FakeSeriesStore(_FakeAnchors[Series]):
    """SeriesAnchors over a FakeTable."""

    kind: AnchorKind = "SERIES"
    changed_code = "series_changed"
    changed_message = "the series changed meanwhile; reload it"

    def get(self, series_id: str) -> Series | None:
        return self._get(series_id)

    def transition(
        self, series: Series, status: SeriesStatus, at: datetime, **changes: Any
    ) -> Series:
        return self._transition(series, status, changes)

    def occurrences(self, series: Series) -> list[Reservation]:
        found = FakeReservations(self._table).get_many(series.occurrence_ids)
        return sorted(found, key=lambda r: (r.window.start, r.reservation_id))


class FakeBulkStore(_FakeAnchors[BulkBatch]):
    """BatchAnchors over a FakeTable."""

    kind: AnchorKind = "BULK"
    changed_code = "batch_changed"
    changed_message = "the batch changed meanwhile"

    def get(self, batch_id: str) -> BulkBatch | None:
        return self._get(batch_id)

    def transition(
        self, batch: BulkBatch, status: BatchStatus, at: datetime, **changes: Any
    ) -> BulkBatch:
        return self._transition(batch, status, changes)

    def stuck(self, created_before: datetime, *, limit: int = 100) -> list[StuckAnchor]:
        found = [
            (anchor.created_at, StuckAnchor(kind, id_of(anchor)))
            for (kind, _), anchor in self._table.anchors.items()
            if anchor.status == "creating" and anchor.created_at < created_before
        ]
        return [stuck for _, stuck in sorted(found, key=lambda f: f[0])][:limit]


# --- Idempotency-Key records and the catalogue ------------------------------------------------


class FakeIdempotencyRecords:
    """IdempotencyRecords over a FakeTable."""

    def __init__(self, table: FakeTable) -> None:
        self._table = table

    def lookup(self, claim: IdempotencyClaim, now: datetime) -> IdempotencyRecord | None:
        stored = self._table.live_record(claim, now)
        if stored is None:
            return None
        if stored.record.fingerprint != claim.fingerprint:
            raise InvalidInput(
                "this Idempotency-Key was already used with a different request",
                code="idempotency_key_reused",
            )
        return stored.record

    def record_conflict(self, claim: IdempotencyClaim, details: Any, now: datetime) -> bool:
        self._table.write_hook()
        if self._table.live_record(claim, now) is not None:
            return False
        self._table.put_record(claim, "conflict", now, details=details)
        return True


@dataclass
class FakeCatalog:
    """ResourceCatalog over plain dicts (the real one is store/catalog/repository.py)."""

    resources: dict[str, Resource] = field(default_factory=dict)
    hours: dict[str, BusinessHours] = field(default_factory=dict)
    blackouts: list[Blackout] = field(default_factory=list)

    def add(self, resource: Resource, hours: BusinessHours | None = None) -> Resource:
        self.resources[resource.resource_id] = resource
        if hours is not None:
            self.hours[resource.resource_id] = hours
        return resource

    def get(self, resource_id: str) -> Resource:
        found = self.resources.get(resource_id)
        if found is None:
            raise NotFound(
                f"resource '{resource_id}' does not exist",
                code="resource_not_found",
                details={"resource_id": resource_id},
            )
        return found

    def get_many_for_booking(self, resource_ids: Iterable[str]) -> dict[str, Resource]:
        return {rid: self.resources[rid] for rid in resource_ids if rid in self.resources}

    def hours_for(self, resource: Resource) -> BusinessHours | None:
        return self.hours.get(resource.resource_id)

    def blackouts_for(
        self, resource: Resource, start_date: date, end_date: date
    ) -> Sequence[Blackout]:
        return list(self.blackouts)


@dataclass
class FakeReservationWorld:
    """Every fake over one table, built together (what wiring.py does for the real ones)."""

    table: FakeTable = field(default_factory=FakeTable)
    catalog: FakeCatalog = field(default_factory=FakeCatalog)

    @property
    def reservations(self) -> FakeReservations:
        return FakeReservations(self.table)

    @property
    def writer(self) -> FakeWriter:
        return FakeWriter(self.table, self.catalog)

    @property
    def series(self) -> FakeSeriesStore:
        return FakeSeriesStore(self.table)

    @property
    def batches(self) -> FakeBulkStore:
        return FakeBulkStore(self.table)

    @property
    def records(self) -> FakeIdempotencyRecords:
        return FakeIdempotencyRecords(self.table)
