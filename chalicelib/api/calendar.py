"""Calendar feeds (issue 12): subscription URLs, .ics feeds and exports, "add to" links.

The feed routes take no bearer token (calendar apps cannot send one): the URL's token is the
credential (`auth="none"` / `"optional"`), and any token that is not live is a 404. Errors are
the house JSON errors like everywhere else (calendar apps show no body anyway). Every .ics
answer carries an ETag; a matching If-None-Match gets a 304 with no body.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.calendar import (
    CalendarLinksOut,
    FeedQuery,
    GroupFeedOut,
    ResourceFeedIn,
    ResourceFeedOut,
    ResourceFeedQuery,
    SubscriptionOut,
)
from chalicelib.domain.calendar.feed import RenderedFeed
from chalicelib.domain.errors import NotFound
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
TAGS = ("calendar",)
BASE = "/api/v1/calendar"
WINDOW = (
    "`past_days` (default 30, at most 366) and `future_days` (default 180, at most 366) set the "
    "window. Cancelled bookings stay in as STATUS:CANCELLED for the retention period."
)


def _ics_name(value: str, what: str) -> str:
    """`<id>.ics` (or a bare id) -> the id; a path segment cannot hold `{id}.ics` in API GW."""
    name = value.removesuffix(".ics")
    if not name:
        raise NotFound(f"no such {what}", code=f"{what.replace(' ', '_')}_not_found")
    return name


def _ics(
    ctx: RequestContext[Any, Any], feed: RenderedFeed, *, private: bool, filename: str
) -> Reply:
    seconds = get_settings().calendar_cache_seconds
    headers = {
        "Content-Type": "text/calendar; charset=utf-8",
        "ETag": feed.etag,
        "Cache-Control": f"{'private' if private else 'public'}, max-age={seconds}",
        "Content-Disposition": f'inline; filename="{filename}"',
        "Referrer-Policy": "no-referrer",  # feed URLs carry their token
        "X-Content-Type-Options": "nosniff",
    }
    wanted = {
        tag.strip().removeprefix("W/") for tag in (ctx.header("If-None-Match") or "").split(",")
    }
    if feed.etag in wanted or "*" in wanted:
        del headers["Content-Disposition"]
        return Reply("", 304, headers)
    return Reply(feed.body.decode("utf-8"), 200, headers)


@endpoint(
    bp,
    BASE + "/subscription-url",
    summary="My calendar feed's subscription URL (made on first request)",
    tags=TAGS,
    scope="reservations:read",
    response=SubscriptionOut,
)
def subscription_url(ctx: RequestContext) -> SubscriptionOut:
    return SubscriptionOut.from_domain(wiring.calendar_subscriptions().subscription(ctx.user))


@endpoint(
    bp,
    BASE + "/regenerate-token",
    "POST",
    summary="Replace my feed URL (the old one stops working at once)",
    tags=TAGS,
    scope="reservations:read",
    response=SubscriptionOut,
    self_service=True,
)
def regenerate_token(ctx: RequestContext) -> SubscriptionOut:
    return SubscriptionOut.from_domain(wiring.calendar_subscriptions().regenerate(ctx.user))


@endpoint(
    bp,
    BASE + "/feed/{feed_token}",
    summary="A user's calendar feed by its subscription URL (`/feed/<token>.ics`, no bearer)",
    tags=TAGS,
    auth="none",
    query=FeedQuery,
    description=WINDOW,
)
def feed(ctx: RequestContext[None, FeedQuery], feed_token: str) -> Reply:
    token = _ics_name(feed_token, "calendar feed")
    rendered = wiring.calendar_feeds().by_token(token, ctx.query.days())
    return _ics(ctx, rendered, private=True, filename="reservations.ics")


@endpoint(
    bp,
    BASE + "/my-feed",
    summary="My calendar feed (.ics) with the bearer token",
    tags=TAGS,
    scope="reservations:read",
    query=FeedQuery,
    description=WINDOW,
)
def my_feed(ctx: RequestContext[None, FeedQuery]) -> Reply:
    rendered = wiring.calendar_feeds().mine(ctx.user, ctx.query.days())
    return _ics(ctx, rendered, private=True, filename="reservations.ics")


@endpoint(
    bp,
    BASE + "/export/{reservation_id}",
    summary="One reservation as an .ics file (`/export/<id>.ics`; owner or admin)",
    tags=TAGS,
    scope="reservations:read",
)
def export(ctx: RequestContext, reservation_id: str) -> Reply:
    rid = _ics_name(reservation_id, "reservation")
    rendered = wiring.calendar_feeds().export(ctx.user, rid)
    return _ics(ctx, rendered, private=True, filename=f"reservation-{rid}.ics")


@endpoint(
    bp,
    BASE + "/links/{reservation_id}",
    summary='"Add to Google Calendar" and "Add to Outlook" links for a reservation',
    tags=TAGS,
    scope="reservations:read",
    response=CalendarLinksOut,
)
def links(ctx: RequestContext, reservation_id: str) -> CalendarLinksOut:
    found = wiring.calendar_feeds().links(ctx.user, reservation_id)
    return CalendarLinksOut.from_domain(reservation_id, found)


@endpoint(
    bp,
    BASE + "/resources/{resource_id}/feed.ics",
    summary="A resource's calendar feed (busy blocks; details for owners and admins)",
    tags=TAGS,
    auth="optional",
    query=ResourceFeedQuery,
    description="Per the resource's setting: `public` (anyone), `token` (`?token=`, or any "
    "signed-in caller) or `off` (admins only; the default). " + WINDOW,
)
def resource_feed(ctx: RequestContext[None, ResourceFeedQuery], resource_id: str) -> Reply:
    q = ctx.query
    rendered = wiring.calendar_feeds().resource(
        resource_id, q.days(), token=q.token, viewer=ctx.principal
    )
    return _ics(
        ctx,
        rendered,
        private=ctx.principal is not None or q.token is not None,
        filename="resource-feed.ics",
    )


@endpoint(
    bp,
    BASE + "/resources/{resource_id}/settings",
    summary="A resource's feed setting and URL (admins)",
    tags=TAGS,
    auth="admin",
    response=ResourceFeedOut,
)
def resource_settings(ctx: RequestContext, resource_id: str) -> ResourceFeedOut:
    view = wiring.calendar_subscriptions().resource_view(ctx.user, resource_id)
    return ResourceFeedOut.from_domain(view)


@endpoint(
    bp,
    BASE + "/resources/{resource_id}/settings",
    "PUT",
    summary="Set a resource's feed to public, token or off (admins)",
    tags=TAGS,
    auth="admin",
    body=ResourceFeedIn,
    response=ResourceFeedOut,
)
def set_resource_settings(ctx: RequestContext[ResourceFeedIn], resource_id: str) -> ResourceFeedOut:
    body = ctx.body
    view = wiring.calendar_subscriptions().set_resource_mode(
        ctx.user, resource_id, body.mode, regenerate=body.regenerate_token
    )
    return ResourceFeedOut.from_domain(view)


# --- a location's (resource group's) feed ---------------------------------------------------


@endpoint(
    bp,
    BASE + "/groups/{group_id}/feed.ics",
    summary="A location's calendar feed: every resource of its subtree (busy blocks)",
    tags=TAGS,
    auth="optional",
    query=ResourceFeedQuery,
    description="Modes as for a resource's feed (`public`, `token`, `off`: the default). At most "
    "50 resources (a larger subtree is a 422 `group_feed_too_large`). " + WINDOW,
)
def group_feed(ctx: RequestContext[None, ResourceFeedQuery], group_id: str) -> Reply:
    q = ctx.query
    rendered = wiring.calendar_group_feeds().feed(
        group_id, q.days(), token=q.token, viewer=ctx.principal
    )
    private = ctx.principal is not None or q.token is not None
    return _ics(ctx, rendered, private=private, filename="location-feed.ics")


@endpoint(
    bp,
    BASE + "/groups/{group_id}/settings",
    summary="A location's feed setting and URL (admins)",
    tags=TAGS,
    auth="admin",
    response=GroupFeedOut,
)
def group_settings(ctx: RequestContext, group_id: str) -> GroupFeedOut:
    return GroupFeedOut.from_domain(wiring.calendar_group_feeds().view(ctx.user, group_id))


@endpoint(
    bp,
    BASE + "/groups/{group_id}/settings",
    "PUT",
    summary="Set a location's feed to public, token or off (admins)",
    tags=TAGS,
    auth="admin",
    body=ResourceFeedIn,
    response=GroupFeedOut,
)
def set_group_settings(ctx: RequestContext[ResourceFeedIn], group_id: str) -> GroupFeedOut:
    body = ctx.body
    view = wiring.calendar_group_feeds().set_mode(
        ctx.user, group_id, body.mode, regenerate=body.regenerate_token
    )
    return GroupFeedOut.from_domain(view)
