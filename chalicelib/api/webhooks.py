"""Webhook subscriptions (owner-scoped), their delivery log, and the admin allow-list."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.webhooks import (
    AllowEntryIn,
    AllowEntryOut,
    DeliveryDetail,
    DeliveryOut,
    DeliveryPage,
    EventTypeOut,
    WebhookCreate,
    WebhookOut,
    WebhookPage,
    WebhookUpdate,
    WebhookWithSecret,
)
from chalicelib.domain.pipeline.catalogue import CATALOGUE, WEBHOOK_EVENT_NAMES

bp = Blueprint(__name__)
TAGS = ("webhooks",)
BASE = "/api/v1/webhooks"
ONE = BASE + "/{webhook_id}"


@endpoint(
    bp,
    BASE + "/events",
    summary="Event names a webhook can subscribe to",
    tags=TAGS,
    auth="none",
    response=list[EventTypeOut],
)
def event_types(ctx: RequestContext) -> list[EventTypeOut]:
    return [
        EventTypeOut(name=n, description=CATALOGUE[n].description, reserved=CATALOGUE[n].reserved)
        for n in WEBHOOK_EVENT_NAMES
    ]


@endpoint(
    bp,
    BASE,
    "POST",
    summary="Subscribe a URL to events (returns the secret once)",
    tags=TAGS,
    body=WebhookCreate,
    response=WebhookWithSecret,
    status=201,
)
def create_webhook(ctx: RequestContext[WebhookCreate]) -> Reply:
    body = ctx.body
    hook, secret = wiring.webhooks().create(ctx.user, body.to_draft())
    out = WebhookWithSecret.with_secret(hook, secret)
    return Reply(out, 201, {"Location": f"{BASE}/{hook.webhook_id}"})


@endpoint(bp, BASE, summary="My webhooks", tags=TAGS, query=PageQuery, response=WebhookPage)
def list_webhooks(ctx: RequestContext[None, PageQuery]) -> WebhookPage:
    q = ctx.query
    hooks, cursor = wiring.webhooks().page(ctx.user, limit=q.limit, cursor=q.cursor)
    return WebhookPage(items=[WebhookOut.from_domain(h) for h in hooks], next_cursor=cursor)


@endpoint(bp, ONE, summary="One of my webhooks", tags=TAGS, response=WebhookOut)
def get_webhook(ctx: RequestContext, webhook_id: str) -> WebhookOut:
    return WebhookOut.from_domain(wiring.webhooks().get(ctx.user, webhook_id))


@endpoint(
    bp,
    ONE,
    "PATCH",
    summary="Change URL, events, description or active",
    tags=TAGS,
    body=WebhookUpdate,
    response=WebhookOut,
)
def update_webhook(ctx: RequestContext[WebhookUpdate], webhook_id: str) -> WebhookOut:
    body = ctx.body
    hook = wiring.webhooks().update(ctx.user, webhook_id, body.to_changes())
    return WebhookOut.from_domain(hook)


@endpoint(bp, ONE, "DELETE", summary="Delete a webhook", tags=TAGS, status=204)
def delete_webhook(ctx: RequestContext, webhook_id: str) -> Reply:
    wiring.webhooks().delete(ctx.user, webhook_id)
    return Reply(None, 204)


def _rotate(ctx: RequestContext, webhook_id: str) -> WebhookWithSecret:
    hook, secret = wiring.webhooks().rotate_secret(ctx.user, webhook_id)
    return WebhookWithSecret.with_secret(hook, secret)


@endpoint(
    bp,
    ONE + "/rotate-secret",
    "POST",
    summary="New signing secret (shown once)",
    tags=TAGS,
    response=WebhookWithSecret,
)
def rotate_secret(ctx: RequestContext, webhook_id: str) -> WebhookWithSecret:
    return _rotate(ctx, webhook_id)


@endpoint(
    bp,
    ONE + "/regenerate-secret",
    "POST",
    summary="New signing secret (old path)",
    tags=TAGS,
    response=WebhookWithSecret,
)
def regenerate_secret(ctx: RequestContext, webhook_id: str) -> WebhookWithSecret:
    return _rotate(ctx, webhook_id)


@endpoint(
    bp,
    ONE + "/test",
    "POST",
    summary="Queue a signed test ping",
    tags=TAGS,
    response=DeliveryOut,
    status=202,
)
def test_webhook(ctx: RequestContext, webhook_id: str) -> Reply:
    delivery = wiring.webhooks().ping(ctx.user, webhook_id)
    return Reply(DeliveryOut.from_domain(delivery), 202)


@endpoint(
    bp,
    ONE + "/deliveries",
    summary="Delivery log, newest first",
    tags=TAGS,
    query=PageQuery,
    response=DeliveryPage,
)
def list_deliveries(ctx: RequestContext[None, PageQuery], webhook_id: str) -> DeliveryPage:
    q = ctx.query
    items, cursor = wiring.webhooks().deliveries(
        ctx.user, webhook_id, limit=q.limit, cursor=q.cursor
    )
    return DeliveryPage(items=[DeliveryOut.from_domain(d) for d in items], next_cursor=cursor)


@endpoint(
    bp,
    ONE + "/deliveries/{delivery_id}",
    summary="One delivery with its payload",
    tags=TAGS,
    response=DeliveryDetail,
)
def get_delivery(ctx: RequestContext, webhook_id: str, delivery_id: str) -> DeliveryDetail:
    delivery = wiring.webhooks().delivery(ctx.user, webhook_id, delivery_id)
    return DeliveryDetail.detail(delivery)


def _redeliver(ctx: RequestContext, webhook_id: str, delivery_id: str) -> Reply:
    delivery = wiring.webhooks().redeliver(ctx.user, webhook_id, delivery_id)
    return Reply(DeliveryOut.from_domain(delivery), 202)


@endpoint(
    bp,
    ONE + "/deliveries/{delivery_id}/redeliver",
    "POST",
    summary="Send a delivery's payload again (queued)",
    tags=TAGS,
    response=DeliveryOut,
    status=202,
)
def redeliver(ctx: RequestContext, webhook_id: str, delivery_id: str) -> Reply:
    return _redeliver(ctx, webhook_id, delivery_id)


@endpoint(
    bp,
    ONE + "/deliveries/{delivery_id}/retry",
    "POST",
    summary="Send a delivery's payload again (old path)",
    tags=TAGS,
    response=DeliveryOut,
    status=202,
)
def retry_delivery(ctx: RequestContext, webhook_id: str, delivery_id: str) -> Reply:
    return _redeliver(ctx, webhook_id, delivery_id)


ALLOW = "/api/v1/admin/webhook-allowlist"


@endpoint(
    bp,
    ALLOW,
    summary="Destinations webhooks may reach despite being private",
    tags=("admin",),
    auth="admin",
    response=list[AllowEntryOut],
)
def list_allowlist(ctx: RequestContext) -> list[AllowEntryOut]:
    entries = wiring.webhooks().allowlist(ctx.user)
    return [AllowEntryOut.model_validate(e) for e in entries]


@endpoint(
    bp,
    ALLOW,
    "POST",
    summary="Allow a private network (or one port of it) to one webhook or one owner's webhooks",
    tags=("admin",),
    auth="admin",
    body=AllowEntryIn,
    response=AllowEntryOut,
    status=201,
)
def add_allowlist(ctx: RequestContext[AllowEntryIn]) -> Reply:
    body = ctx.body
    entry = wiring.webhooks().allow(ctx.user, body.to_draft())
    return Reply(AllowEntryOut.model_validate(entry), 201)


@endpoint(
    bp,
    ALLOW + "/{entry_id}",
    "DELETE",
    summary="Remove an allow-list entry",
    tags=("admin",),
    auth="admin",
    status=204,
)
def remove_allowlist(ctx: RequestContext, entry_id: str) -> Reply:
    wiring.webhooks().disallow(ctx.user, entry_id)
    return Reply(None, 204)
