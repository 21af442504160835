"""The waitlist: join, my entries, one entry, leave, accept / decline an offer, a resource's
queue; and the per-resource settings (admins).

Someone else's entry answers 404 on every route (owner or admin), so ids cannot be probed.
"""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.reservations import ReservationOut
from chalicelib.api.schemas.waitlist import (
    AcceptOut,
    EntryOut,
    EntryPage,
    QueueOut,
    WaitlistJoin,
    WaitlistSettingsIn,
    WaitlistSettingsOut,
)
from chalicelib.domain.waitlist.entries import WaitlistEntry
from chalicelib.services.waitlist.entries import EntryView

bp = Blueprint(__name__)
TAGS = ("waitlist",)
READ = "reservations:read"
WRITE = "reservations:write"


@endpoint(
    bp,
    "/api/v1/waitlist",
    "POST",
    summary="Join a resource's waitlist",
    tags=TAGS,
    scope=WRITE,
    body=WaitlistJoin,
    response=EntryOut,
    status=201,
    description=(
        "409 `slot_available` when the wished time can be booked now (book it instead), "
        "409 `already_waiting` when you wait for an overlapping time on this resource, 422 "
        "when the booking rules refuse the wish outright. When a window frees up you get an "
        "offer (a `held` reservation until `offer.expires_at`), or a booking with `auto_book`."
    ),
)
def join_waitlist(ctx: RequestContext[WaitlistJoin]) -> Reply:
    view = wiring.waitlist().join(ctx.user, ctx.body.to_request())
    out = EntryOut.of(view)
    return Reply(out, 201, {"Location": f"/api/v1/waitlist/{out.entry_id}"})


@endpoint(
    bp,
    "/api/v1/waitlist",
    summary="My waitlist entries, newest first (position, offer and its deadline)",
    tags=TAGS,
    scope=READ,
    query=PageQuery,
    response=EntryPage,
)
def my_waitlist(ctx: RequestContext[None, PageQuery]) -> EntryPage:
    page = wiring.waitlist().mine(ctx.user, limit=ctx.query.limit, cursor=ctx.query.cursor)
    return EntryPage(items=[EntryOut.of(v) for v in page.items], next_cursor=page.next_cursor)


@endpoint(
    bp,
    "/api/v1/waitlist/{entry_id}",
    summary="One waitlist entry (owner or admin)",
    tags=TAGS,
    scope=READ,
    response=EntryOut,
)
def get_waitlist_entry(ctx: RequestContext, entry_id: str) -> EntryOut:
    return EntryOut.of(wiring.waitlist().show(ctx.user, entry_id))


@endpoint(
    bp,
    "/api/v1/waitlist/{entry_id}",
    "DELETE",
    summary="Leave the waitlist (an open offer is released to the next person)",
    tags=TAGS,
    scope=WRITE,
    response=EntryOut,
)
def leave_waitlist(ctx: RequestContext, entry_id: str) -> EntryOut:
    return EntryOut.of(_closed(wiring.waitlist_offers().leave(ctx.user, entry_id)))


@endpoint(
    bp,
    "/api/v1/waitlist/{entry_id}/accept",
    "POST",
    summary="Accept an offer: the held window becomes your reservation",
    tags=TAGS,
    scope=WRITE,
    response=AcceptOut,
    description=(
        "The reservation is `active`, or `pending_approval` where the resource needs approval. "
        "409 `offer_expired` past the deadline, `no_offer` without an open offer; a booking "
        "rule that now fails (422, its reason) passes the window to the next entry."
    ),
)
def accept_offer(ctx: RequestContext, entry_id: str) -> AcceptOut:
    entry, reservation = wiring.waitlist_offers().accept(ctx.user, entry_id)
    return AcceptOut(
        entry=EntryOut.of(_closed(entry)), reservation=ReservationOut.from_domain(reservation)
    )


@endpoint(
    bp,
    "/api/v1/waitlist/{entry_id}/decline",
    "POST",
    summary="Decline an offer: the window goes to the next person",
    tags=TAGS,
    scope=WRITE,
    response=EntryOut,
)
def decline_offer(ctx: RequestContext, entry_id: str) -> EntryOut:
    return EntryOut.of(_closed(wiring.waitlist_offers().decline(ctx.user, entry_id)))


@endpoint(
    bp,
    "/api/v1/waitlist/resource/{resource_id}",
    summary="A resource's waitlist: counts for everyone, who waits for admins",
    tags=(*TAGS, "resources"),
    scope=READ,
    response=QueueOut,
)
def resource_waitlist(ctx: RequestContext, resource_id: str) -> QueueOut:
    return QueueOut.of(wiring.waitlist().queue(ctx.user, resource_id))


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/waitlist",
    "PUT",
    summary="Set a resource's waitlist settings (admin)",
    tags=(*TAGS, "resources", "admin"),
    auth="admin",
    body=WaitlistSettingsIn,
    response=WaitlistSettingsOut,
)
def configure_waitlist(
    ctx: RequestContext[WaitlistSettingsIn], resource_id: str
) -> WaitlistSettingsOut:
    settings = wiring.waitlist().configure(ctx.user, resource_id, ctx.body.to_domain())
    return WaitlistSettingsOut.of(settings)


def _closed(entry: WaitlistEntry) -> EntryView:
    """Accepted, declined or left: out of the queue, so no position."""
    return EntryView(entry, None)
