"""Recurring series: create (all or nothing), read, cancel. Someone else's series is a 404."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.reservations import idempotency_key
from chalicelib.api.schemas.series import SeriesCancel, SeriesCreate, SeriesOut
from chalicelib.domain import acting
from chalicelib.domain.pipeline.lanes import BULK_LANE
from chalicelib.services.reservations.series import SeriesRequest

bp = Blueprint(__name__)
TAGS = ("reservations", "series")


@endpoint(
    bp,
    "/api/v1/reservations/recurring",
    "POST",
    summary="Book a recurring series (all occurrences or none)",
    tags=TAGS,
    scope="reservations:write",
    body=SeriesCreate,
    response=SeriesOut,
    status=201,
    description=(
        (SeriesCreate.__doc__ or "")
        + " 422 `series_rule_violation` / 409 `reservation_conflict` list every failing "
        "occurrence in `details.occurrences`. `Idempotency-Key` works as for single bookings."
    ),
)
def create_series(ctx: RequestContext[SeriesCreate]) -> Reply:
    body = ctx.body
    request = SeriesRequest(
        resource_id=body.resource_id,
        start_time=body.start_time,
        end_time=body.end_time,
        rrule=body.rrule,
        simple=body.simple(),
        exdates=tuple(body.exdates),
        notes=body.notes,
        override=body.override,
        conflict_policy=body.conflict_policy,
    )
    key = idempotency_key(ctx.header("idempotency-key"))
    with acting.in_lane(BULK_LANE):  # issue 16: its events take the bulk lane
        result = wiring.series().create(ctx.user, request, key)
    out = SeriesOut.from_result(result)
    headers = {"Location": f"/api/v1/series/{out.series_id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Reply(out, 201, headers)


@endpoint(
    bp,
    "/api/v1/series/{series_id}",
    summary="A series and its occurrences (owner or admin)",
    tags=TAGS,
    scope="reservations:read",
    response=SeriesOut,
)
def get_series(ctx: RequestContext, series_id: str) -> SeriesOut:
    return SeriesOut.from_result(wiring.series().get(ctx.user, series_id))


@endpoint(
    bp,
    "/api/v1/series/{series_id}/cancel",
    "POST",
    summary="Cancel a series (owner or admin)",
    tags=TAGS,
    scope="reservations:write",
    body=SeriesCancel,
    response=SeriesOut,
)
def cancel_series(ctx: RequestContext[SeriesCancel], series_id: str) -> SeriesOut:
    body = ctx.body
    if body.scope == "following":
        assert body.from_reservation_id is not None  # the schema guarantees it
        result = wiring.series().cancel_following(
            ctx.user, series_id, body.from_reservation_id, body.reason
        )
    else:
        result = wiring.series().cancel(
            ctx.user, series_id, body.reason, future_only=body.scope == "future"
        )
    return SeriesOut.from_result(result)
