"""Administration of accounts: listing, password reset, enable/disable (roles: api/roles.py)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.auth import (
    AdminPasswordReset,
    UserListQuery,
    UserOut,
    UserPage,
)
from chalicelib.api.schemas.common import Message

bp = Blueprint(__name__)
TAGS = ("admin",)


@endpoint(
    bp,
    "/api/v1/auth/admin/users",
    summary="List users (cursor pages, username prefix q)",
    tags=TAGS,
    auth="admin",
    query=UserListQuery,
    response=UserPage,
)
def list_users(ctx: RequestContext[None, UserListQuery]) -> UserPage:
    query = ctx.query
    page = wiring.accounts().list_users(
        ctx.user, limit=query.limit, cursor=query.cursor, prefix=query.q
    )
    return UserPage(
        items=[UserOut.from_domain(u) for u in page.users], next_cursor=page.next_cursor
    )


@endpoint(
    bp,
    "/api/v1/auth/admin/reset-password",
    "POST",
    summary="Set a user's password",
    tags=TAGS,
    auth="admin",
    body=AdminPasswordReset,
    response=Message,
    description="Revokes every token of that user.",
)
def reset_password(ctx: RequestContext[AdminPasswordReset]) -> Message:
    body = ctx.body
    wiring.accounts().admin_reset_password(
        ctx.user, user_id=body.user_id, username=body.username, new_password=body.new_password
    )
    return Message(message="password reset; the user's sessions are revoked")


@endpoint(
    bp,
    "/api/v1/admin/users/{user_id}/disable",
    "POST",
    summary="Disable an account",
    tags=TAGS,
    auth="admin",
    response=UserOut,
)
def disable(ctx: RequestContext, user_id: str) -> UserOut:
    return UserOut.from_domain(wiring.accounts().set_disabled(ctx.user, user_id, True))


@endpoint(
    bp,
    "/api/v1/admin/users/{user_id}/enable",
    "POST",
    summary="Enable an account",
    tags=TAGS,
    auth="admin",
    response=UserOut,
)
def enable(ctx: RequestContext, user_id: str) -> UserOut:
    return UserOut.from_domain(wiring.accounts().set_disabled(ctx.user, user_id, False))
