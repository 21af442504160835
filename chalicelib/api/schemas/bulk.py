"""Request/response models of bulk reservations."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.api.schemas.reservations import ReservationOut, ResourceId
from chalicelib.domain.reservations.bulk import MAX_ITEMS
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.bulk import BulkResult, CancelOutcome, ItemOutcome

# Capped like every other id: a 2 KB id must never become a DynamoDB key.
ReservationId = Annotated[str, Field(min_length=1, max_length=64)]


class BulkItemIn(Strict):
    resource_id: ResourceId
    start_time: UtcDatetime
    end_time: UtcDatetime
    notes: str = Field(default="", max_length=1000)


class BulkCreate(Strict):
    """1-100 windows, on any resources; all are booked or none."""

    items: list[BulkItemIn] = Field(min_length=1, max_length=MAX_ITEMS)
    dry_run: bool = Field(
        default=False, description="Check every item and report; book nothing, write nothing."
    )
    override: bool = Field(
        default=False,
        description="Admins only: book outside business hours or on blackout dates.",
    )


class BulkCancel(Strict):
    reservation_ids: list[ReservationId] = Field(min_length=1, max_length=MAX_ITEMS)
    reason: str = Field(default="", max_length=500)


class ItemErrorOut(BaseModel):
    code: str
    message: str
    conflicts: list[dict[str, str]] = Field(default_factory=list)
    overlaps_with: list[int] = Field(
        default_factory=list, description="Indexes of the items of this request it overlaps."
    )


class BulkItemOut(BaseModel):
    index: int
    ok: bool
    resource_id: str
    start_time: str | None
    end_time: str | None
    reservation_id: str | None = None
    error: ItemErrorOut | None = None

    @classmethod
    def from_outcome(cls, outcome: ItemOutcome) -> BulkItemOut:
        window, error = outcome.window, outcome.error
        return cls(
            index=outcome.index,
            ok=error is None,
            resource_id=outcome.resource_id,
            start_time=iso_z(window.start) if window else None,
            end_time=iso_z(window.end) if window else None,
            reservation_id=outcome.reservation.reservation_id if outcome.reservation else None,
            error=None
            if error is None
            else ItemErrorOut(
                code=error.code,
                message=error.message,
                conflicts=error.conflicts,
                overlaps_with=error.overlaps_with,
            ),
        )


class BulkOut(BaseModel):
    dry_run: bool
    ok: bool = Field(description="Every item can be (dry run) or was booked.")
    batch_id: str | None = None
    items: list[BulkItemOut]
    reservations: list[ReservationOut] = Field(default_factory=list)

    @classmethod
    def from_result(cls, result: BulkResult) -> BulkOut:
        return cls(
            dry_run=result.dry_run,
            ok=result.ok,
            batch_id=result.batch.batch_id if result.batch else None,
            items=[BulkItemOut.from_outcome(o) for o in result.outcomes],
            reservations=[ReservationOut.from_domain(r) for r in result.reservations],
        )


class CancelResultOut(BaseModel):
    reservation_id: str
    outcome: str = Field(description="cancelled | not_found | already_cancelled | not_cancellable")
    status: str | None = None

    @classmethod
    def from_outcome(cls, outcome: CancelOutcome) -> CancelResultOut:
        found = outcome.reservation
        return cls(
            reservation_id=outcome.reservation_id,
            outcome=outcome.outcome,
            status=found.status.value if found and outcome.outcome != "not_found" else None,
        )


class BulkCancelOut(BaseModel):
    cancelled: int
    results: list[CancelResultOut]
