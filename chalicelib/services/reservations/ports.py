"""The ports of the reservation services: what booking, series, bulk, recovery and the read use
cases need from storage, as Protocols (STYLE.md rule 5 and 6, DEMO).

Production adapters live in `store/` (named on each port) and are built in `wiring.py`; the
in-memory fakes (`tests/fakes/reservations.py`, `tests/fakes/reservation_anchors.py`) pass the
same contract tests (`tests/integration/contract/`). The value types crossing these ports
(`Booking`, `Move`, `IdempotencyClaim`, `IdempotencyRecord`, ...) and the signals the writer
raises (`StaleItem`, `DuplicateRequest`, `FenceFailed`, `ReservationConflict`) are shared by
both sides. Items
handed out by an anchor store (`anchor_put`, `still_creating`) are opaque tokens that only
the writer of the same family understands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource
from chalicelib.domain.reservations import Changed, HistoryEntry, Reservation, TimeRange
from chalicelib.domain.reservations.bulk import BatchStatus, BulkBatch
from chalicelib.domain.reservations.conflicts import Buffers, Occupant
from chalicelib.domain.reservations.series import Series, SeriesStatus
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.anchors import StuckAnchor
from chalicelib.store.reservations.idempotency import IdempotencyClaim, IdempotencyRecord
from chalicelib.store.reservations.listing import ListingFilter, Page
from chalicelib.store.reservations.writer import Booking, Move
from chalicelib.store.reservations.writer import IdempotencyRecord as RecordToWrite

A = TypeVar("A")
S_contra = TypeVar("S_contra", contravariant=True)


class ResourceCatalog(Protocol):
    """What booking needs from the resource catalogue (store/catalog/repository.py)."""

    def get(self, resource_id: str) -> Resource: ...

    def hours_for(self, resource: Resource) -> BusinessHours | None: ...

    def blackouts_for(
        self, resource: Resource, start_date: date, end_date: date
    ) -> Sequence[Blackout]: ...

    # bulk16: a bulk request's resources at once (one BatchGet; missing ones absent), with
    # what spares the blackout query (`Resource.own_blackouts`).
    def get_many_for_booking(self, resource_ids: Iterable[str]) -> dict[str, Resource]: ...


class ResourceLookup(ResourceCatalog, Protocol):
    """The catalogue plus many resources at once (one BatchGet): what the listings need to
    name each row's resource without one read per row."""

    def get_many(self, resource_ids: Iterable[str]) -> dict[str, Resource]: ...


class ReservationReader(Protocol):
    """One reservation by id (consistent); what a redo of a stale change re-reads."""

    def get(self, reservation_id: str) -> Reservation | None: ...


class ReservationReads(ReservationReader, Protocol):
    """Reading reservations (store/reservations/repository.py `ReservationStore`)."""

    def get_many(self, ids: Sequence[str]) -> list[Reservation]:
        """Those that exist among `ids`, in the order of `ids` (duplicates once)."""
        ...

    def history(
        self, reservation_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[HistoryEntry], dict[str, Any] | None]:
        """Oldest first, one page at a time; the key is opaque."""
        ...

    def occupants(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> list[Occupant]:
        """Every occupying reservation of the resource that could conflict with `windows`
        (a superset: callers filter with `find_conflicts`). Read only: a pre-check."""
        ...


class ReservationWriter(Protocol):
    """The one booking writer (store/reservations/writer.py `BookingWriter`). Raises
    `ReservationConflict` (clashes indexed by booking), `StaleItem`, `DuplicateRequest`,
    `FenceFailed`."""

    def create(
        self,
        bookings: Sequence[Booking],
        *,
        record: RecordToWrite | None = None,
        extra: Sequence[Item] = (),
        known_versions: Mapping[str, Mapping[date, int | None]] | None = None,
        known_occupants: Mapping[str, Sequence[Occupant]] | None = None,
    ) -> None: ...

    def day_versions(
        self, wanted: Mapping[str, Sequence[date]]
    ) -> dict[str, dict[date, int | None]]: ...

    def book(
        self,
        resource_id: str,
        window: TimeRange,
        decide: Callable[[Resource], Booking],
        *,
        record: Callable[[Booking], RecordToWrite | None] = ...,
    ) -> Reservation: ...

    def move(
        self, resource_id: str, window: TimeRange, decide: Callable[[Resource], Move]
    ) -> Reservation: ...

    def relocate(
        self, move: Move, *, known_versions: Mapping[str, Mapping[date, int | None]] | None = None
    ) -> Reservation: ...

    def apply(self, change: Changed) -> Reservation: ...

    def apply_many(
        self,
        changes: Sequence[Changed],
        redo: Callable[[Reservation], Changed | None],
        reread: Callable[[str], Reservation | None],
    ) -> list[Reservation]: ...


class AnchorStore(Protocol[A, S_contra]):
    """The anchor of a multi-transaction write (store/reservations/series.py, bulk.py)."""

    def anchor_put(self, anchor: A, /) -> Item:
        """The opaque item that creates the anchor with the bookings (one transaction)."""
        ...

    def start(self, anchor: A, claim: IdempotencyClaim | None, /) -> None:
        """Put the `creating` anchor with the key record (`DuplicateRequest` if taken)."""
        ...

    def still_creating(self, anchor: A, /) -> Item:
        """The opaque fence: the anchor is still `creating` at its version."""
        ...

    def transition(self, anchor: A, status: S_contra, at: datetime, /, *, failure: Any) -> A:
        """Move it on if still at its version (`Conflict` `*_changed` otherwise)."""
        ...


class SeriesAnchors(Protocol):
    """Series items (store/reservations/series.py `SeriesStore`)."""

    def get(self, series_id: str, /) -> Series | None: ...

    def anchor_put(self, series: Series, /) -> Item: ...

    def start(self, series: Series, claim: IdempotencyClaim | None, /) -> None: ...

    def still_creating(self, series: Series, /) -> Item: ...

    def transition(
        self, series: Series, status: SeriesStatus, at: datetime, /, **changes: Any
    ) -> Series: ...

    def occurrences(self, series: Series) -> list[Reservation]:
        """The series' reservations in start order."""
        ...


class BatchAnchors(Protocol):
    """Bulk batch items (store/reservations/bulk.py `BulkStore`)."""

    def get(self, batch_id: str, /) -> BulkBatch | None: ...

    def anchor_put(self, batch: BulkBatch, /) -> Item: ...

    def start(self, batch: BulkBatch, claim: IdempotencyClaim | None, /) -> None: ...

    def still_creating(self, batch: BulkBatch, /) -> Item: ...

    def transition(
        self, batch: BulkBatch, status: BatchStatus, at: datetime, /, **changes: Any
    ) -> BulkBatch: ...

    def stuck(self, created_before: datetime, *, limit: int = 100) -> list[StuckAnchor]:
        """Anchors (batches AND series) still `creating`, created before the cutoff."""
        ...


class IdempotencyRecords(Protocol):
    """The Idempotency-Key records (store/reservations/idempotency.py `IdempotencyStore`)."""

    def lookup(self, claim: IdempotencyClaim, now: datetime) -> IdempotencyRecord | None:
        """The live record (422 `idempotency_key_reused` if its fingerprint differs)."""
        ...

    def record_conflict(self, claim: IdempotencyClaim, details: Any, now: datetime) -> bool:
        """Remember a 409; False if a live record exists already."""
        ...


class ReservationListings(Protocol):
    """Paged listings (store/reservations/listing.py `ReservationListing`)."""

    def for_user(
        self,
        user_id: str,
        spec: ListingFilter,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
        descending: bool = False,
    ) -> Page[Reservation]: ...

    def in_month(
        self,
        month: date,
        spec: ListingFilter,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> Page[Reservation]: ...

    def schedule(
        self,
        resource_id: str,
        start_from: datetime,
        until: datetime,
        now: datetime,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> Page[Occupant]: ...

    # Composite resources (issue 14): the resources each one's bookings also occupy.
    def related(self, resource_ids: Sequence[str]) -> dict[str, tuple[str, ...]]: ...
