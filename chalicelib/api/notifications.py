"""The notification centre: list (cursor, unread filter, unread count), mark read."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.notifications import (
    NotificationOut,
    NotificationPage,
    NotificationQuery,
    ReadAllOut,
)

bp = Blueprint(__name__)
TAGS = ("notifications",)


@endpoint(
    bp,
    "/api/v1/notifications",
    summary="My notifications, newest first",
    tags=TAGS,
    query=NotificationQuery,
    response=NotificationPage,
)
def list_notifications(ctx: RequestContext[None, NotificationQuery]) -> NotificationPage:
    q = ctx.query
    page = wiring.notifications().page(
        ctx.user, unread_only=q.unread_only, limit=q.limit, cursor=q.cursor
    )
    return NotificationPage(
        items=[NotificationOut.from_domain(n) for n in page.items],
        next_cursor=page.next_cursor,
        unread_count=page.unread_count,
    )


@endpoint(
    bp,
    "/api/v1/notifications/{notification_id}/read",
    "POST",
    self_service=True,
    summary="Mark one of my notifications read (reading twice is fine)",
    tags=TAGS,
    response=NotificationOut,
)
def read_notification(ctx: RequestContext, notification_id: str) -> NotificationOut:
    note = wiring.notifications().mark_read(ctx.user, notification_id)
    return NotificationOut.from_domain(note)


def _read_all(ctx: RequestContext) -> ReadAllOut:
    service = wiring.notifications()
    marked = service.mark_all_read(ctx.user)
    return ReadAllOut(marked=marked, unread_count=service.unread_count(ctx.user))


@endpoint(
    bp,
    "/api/v1/notifications/read-all",
    "POST",
    self_service=True,
    summary="Mark all my notifications read",
    tags=TAGS,
    response=ReadAllOut,
)
def read_all_notifications(ctx: RequestContext) -> ReadAllOut:
    return _read_all(ctx)


@endpoint(
    bp,
    "/api/v1/notifications/mark-all-read",
    "POST",
    self_service=True,
    summary="Mark all my notifications read (the old product's path)",
    tags=TAGS,
    response=ReadAllOut,
)
def mark_all_read_legacy(ctx: RequestContext) -> ReadAllOut:
    return _read_all(ctx)
