"""The what-if check of a booking (issue 13): the same evaluation, nothing written."""

from __future__ import annotations

from dataclasses import asdict

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.quotas import CheckOut
from chalicelib.api.schemas.reservations import ReservationCreate
from chalicelib.services.reservations.booking import BookingRequest

bp = Blueprint(__name__)


@endpoint(
    bp,
    "/api/v1/reservations/check",
    "POST",
    summary="What if I booked this? Rules, quotas, conflicts, approval, Plan B; writes nothing",
    tags=("reservations",),
    scope="reservations:write",
    body=ReservationCreate,
    response=CheckOut,
    description=(
        "The body of a booking request. `ok` is a forecast: the booking itself decides. "
        "`violations` lists every failed rule, `quota` the usage after the booking, "
        "`alternatives` ready-to-send requests when it would be refused."
    ),
)
def check_reservation(ctx: RequestContext[ReservationCreate]) -> CheckOut:
    body = ctx.body
    request = BookingRequest(
        body.resource_id, body.start_time, body.end_time, body.notes, body.override
    )
    return CheckOut(**asdict(wiring.what_if().check(ctx.user, request)))
