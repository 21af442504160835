"""Reservations: create, read, list, cancel, reschedule, history; a resource's schedule.

Someone else's reservation answers 404 (not 403) on every route, so ids cannot be probed.
"""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.reservations import (
    AdminReservationsQuery,
    HistoryEntryOut,
    HistoryPage,
    MyReservationsQuery,
    ReservationCancel,
    ReservationCreate,
    ReservationOut,
    ReservationPage,
    ReservationReschedule,
    ScheduleBlockOut,
    SchedulePage,
    ScheduleQuery,
    SchedulesOut,
    SchedulesQuery,
    idempotency_key,
    statuses,
)
from chalicelib.domain.reservations import Reservation
from chalicelib.services.reservations.booking import BookingRequest, RescheduleRequest
from chalicelib.services.reservations.queries import Listing, ListQuery

bp = Blueprint(__name__)
TAGS = ("reservations",)
READ = "reservations:read"
WRITE = "reservations:write"


@endpoint(
    bp,
    "/api/v1/reservations",
    "POST",
    summary="Book a resource",
    tags=TAGS,
    scope=WRITE,
    body=ReservationCreate,
    response=ReservationOut,
    status=201,
    description=(
        "409 `reservation_conflict` lists the overlapping reservations in "
        "`details.conflicts` (ids only of your own). Send `Idempotency-Key` to make retries "
        "safe: a repeat returns the first result (header `Idempotent-Replayed: true`); the "
        "same key with another body is 422 `idempotency_key_reused`."
    ),
)
def create_reservation(ctx: RequestContext[ReservationCreate]) -> Reply:
    body = ctx.body
    key = idempotency_key(ctx.header("idempotency-key"))
    request = BookingRequest(
        body.resource_id, body.start_time, body.end_time, body.notes, body.override
    )
    result = wiring.booking().create(ctx.user, request, key)
    out = ReservationOut.from_domain(result.reservation)
    headers = {"Location": f"/api/v1/reservations/{out.reservation_id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Reply(out, 201, headers)


@endpoint(
    bp,
    "/api/v1/reservations/my",
    summary="My reservations",
    tags=TAGS,
    scope=READ,
    query=MyReservationsQuery,
    response=ReservationPage,
    description=MyReservationsQuery.__doc__ or "",
)
def my_reservations(ctx: RequestContext[None, MyReservationsQuery]) -> ReservationPage:
    q = ctx.query
    query = ListQuery(
        statuses=statuses(q.status),
        start_from=q.from_,
        until=q.to,
        resource_id=q.resource_id,
        descending=q.order == "desc",
        limit=q.limit,
        cursor=q.cursor,
    )
    listing = wiring.reservation_queries().mine(ctx.user, query)
    return _page(listing)


@endpoint(
    bp,
    "/api/v1/reservations/{reservation_id}",
    summary="One reservation (owner or admin)",
    tags=TAGS,
    scope=READ,
    response=ReservationOut,
)
def get_reservation(ctx: RequestContext, reservation_id: str) -> ReservationOut:
    return ReservationOut.from_domain(wiring.reservation_queries().get(ctx.user, reservation_id))


@endpoint(
    bp,
    "/api/v1/reservations/{reservation_id}",
    "PATCH",
    summary="Reschedule a reservation (owner or admin)",
    tags=TAGS,
    scope=WRITE,
    body=ReservationReschedule,
    response=ReservationOut,
    description="Its own current slot never conflicts with the new one.",
)
def reschedule_reservation(
    ctx: RequestContext[ReservationReschedule], reservation_id: str
) -> ReservationOut:
    body = ctx.body
    request = RescheduleRequest(body.start_time, body.end_time, body.resource_id, body.override)
    moved = wiring.booking().reschedule(ctx.user, reservation_id, request)
    return ReservationOut.from_domain(moved)


@endpoint(
    bp,
    "/api/v1/reservations/{reservation_id}/cancel",
    "POST",
    summary="Cancel a reservation (owner or admin)",
    tags=TAGS,
    scope=WRITE,
    body=ReservationCancel,
    response=ReservationOut,
    description="Cancelling twice is 409 `already_cancelled`.",
)
def cancel_reservation(
    ctx: RequestContext[ReservationCancel], reservation_id: str
) -> ReservationOut:
    body = ctx.body
    cancelled = wiring.booking().cancel(ctx.user, reservation_id, body.reason)
    return ReservationOut.from_domain(cancelled)


@endpoint(
    bp,
    "/api/v1/reservations/{reservation_id}/history",
    summary="A reservation's history, oldest first (owner or admin)",
    tags=TAGS,
    scope=READ,
    query=PageQuery,
    response=HistoryPage,
)
def reservation_history(ctx: RequestContext[None, PageQuery], reservation_id: str) -> HistoryPage:
    q = ctx.query
    listing = wiring.reservation_queries().history(
        ctx.user, reservation_id, limit=q.limit, cursor=q.cursor
    )
    items = [HistoryEntryOut.from_domain(e) for e in listing.items]
    return HistoryPage(items=items, next_cursor=listing.next_cursor)


@endpoint(
    bp,
    "/api/v1/admin/reservations",
    summary="Everyone's reservations (admin)",
    tags=(*TAGS, "admin"),
    auth="admin",
    query=AdminReservationsQuery,
    response=ReservationPage,
    description=AdminReservationsQuery.__doc__ or "",
)
def all_reservations(ctx: RequestContext[None, AdminReservationsQuery]) -> ReservationPage:
    q = ctx.query
    query = ListQuery(
        statuses=statuses(q.status),
        start_from=q.from_,
        until=q.to,
        resource_id=q.resource_id,
        user_id=q.user_id,
        limit=q.limit,
        cursor=q.cursor,
    )
    listing = wiring.reservation_queries().everyone(ctx.user, query)
    return _page(listing)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/schedule",
    summary="A resource's busy blocks in a window",
    tags=("resources", *TAGS),
    scope=READ,
    query=ScheduleQuery,
    response=SchedulePage,
    description=(
        "Occupying reservations overlapping [from, to) (default: the next 7 days). Other "
        "users' blocks show only their times and status; admins see every owner."
    ),
)
def resource_schedule(ctx: RequestContext[None, ScheduleQuery], resource_id: str) -> SchedulePage:
    q = ctx.query
    query = ListQuery(start_from=q.from_, until=q.to, limit=q.limit, cursor=q.cursor)
    listing = wiring.reservation_queries().schedule(ctx.user, resource_id, query)
    items = [ScheduleBlockOut.from_domain(b) for b in listing.items]
    return SchedulePage(items=items, next_cursor=listing.next_cursor)


@endpoint(
    bp,
    "/api/v1/resources/schedules",
    summary="Many resources' busy blocks in one window (the calendar's timeline)",
    tags=("resources", *TAGS),
    scope=READ,
    query=SchedulesQuery,
    response=SchedulesOut,
    description=(
        "Up to 200 resources (`ids`, repeated) over at most 14 days: each resource's "
        "occupying reservations overlapping [from, to), at most 200 blocks each (`complete` "
        "says whether that is all). Ids naming no resource are listed in `missing`. Blocks "
        "are shown as in `/resources/{resource_id}/schedule`."
    ),
)
def resource_schedules(ctx: RequestContext[None, SchedulesQuery]) -> SchedulesOut:
    q = ctx.query
    found = wiring.reservation_queries().schedules(ctx.user, q.ids, q.from_, q.to)
    return SchedulesOut.from_domain(found)


def _page(listing: Listing[Reservation]) -> ReservationPage:
    names = listing.resource_names
    items = [ReservationOut.from_domain(r, names.get(r.resource_id)) for r in listing.items]
    return ReservationPage(items=items, next_cursor=listing.next_cursor)
