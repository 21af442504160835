"""Bulk reservations: book many windows all or nothing; cancel many (each on its own)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.bulk import (
    BulkCancel,
    BulkCancelOut,
    BulkCreate,
    BulkOut,
    CancelResultOut,
)
from chalicelib.api.schemas.reservations import idempotency_key
from chalicelib.domain import acting
from chalicelib.domain.pipeline.lanes import BULK_LANE
from chalicelib.services.reservations.bulk_checks import BulkItem, BulkRequest

bp = Blueprint(__name__)
TAGS = ("reservations", "bulk")


@endpoint(
    bp,
    "/api/v1/reservations/bulk",
    "POST",
    summary="Book many windows at once (all or nothing)",
    tags=TAGS,
    scope="reservations:write",
    body=BulkCreate,
    response=BulkOut,
    status=201,
    description=(
        "Every item is checked against the booking rules, the other items and the existing "
        "reservations. `dry_run: true` answers 200 with each item's `ok` / `error` and writes "
        "nothing. Otherwise either every item is booked (201, `reservations` in item order) "
        "or none: 409 `reservation_conflict` when the only problems are taken slots, else "
        "422 `bulk_rejected`; `details.items` lists every failing item by `index`. "
        "`Idempotency-Key` works as for single bookings."
    ),
)
def create_bulk(ctx: RequestContext[BulkCreate]) -> Reply:
    body = ctx.body
    request = BulkRequest(
        items=tuple(BulkItem(i.resource_id, i.start_time, i.end_time, i.notes) for i in body.items),
        dry_run=body.dry_run,
        override=body.override,
    )
    key = idempotency_key(ctx.header("idempotency-key"))
    with acting.in_lane(BULK_LANE):  # issue 16: its events take the bulk lane
        result = wiring.bulk().create(ctx.user, request, key)
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return Reply(BulkOut.from_result(result), 200 if result.dry_run else 201, headers)


@endpoint(
    bp,
    "/api/v1/reservations/bulk/cancel",
    "POST",
    summary="Cancel many reservations (each on its own, NOT all or nothing)",
    tags=TAGS,
    scope="reservations:write",
    body=BulkCancel,
    response=BulkCancelOut,
    description=(
        "Not all or nothing: each reservation is cancelled by its own conditional write, "
        "and each id is reported as `cancelled`, `not_found` (no such reservation, or not "
        "yours), `already_cancelled` or `not_cancellable` (e.g. expired). Admins may cancel "
        "anyone's. Repeated ids are reported once."
    ),
)
def cancel_bulk(ctx: RequestContext[BulkCancel]) -> BulkCancelOut:
    body = ctx.body
    with acting.in_lane(BULK_LANE):  # issue 16: its events take the bulk lane
        outcomes = wiring.bulk().cancel(ctx.user, body.reservation_ids, body.reason)
    results = [CancelResultOut.from_outcome(o) for o in outcomes]
    return BulkCancelOut(cancelled=sum(r.outcome == "cancelled" for r in results), results=results)
