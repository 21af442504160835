"""Administration of accounts: listing, password reset, roles, enable/disable."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.auth import (
    AdminPasswordReset,
    RoleAssignment,
    RoleOut,
    UserListQuery,
    UserOut,
    UserPage,
)
from chalicelib.api.schemas.common import Message
from chalicelib.domain.accounts.accounts import ROLE_DESCRIPTIONS

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


@endpoint(
    bp,
    "/api/v1/roles",
    summary="The roles and what they allow",
    tags=("roles",),
    auth="admin",
    response=list[RoleOut],
)
def roles(ctx: RequestContext) -> list[RoleOut]:
    return [RoleOut(name=role, description=text) for role, text in ROLE_DESCRIPTIONS.items()]


@endpoint(
    bp,
    "/api/v1/roles/my-roles",
    summary="My roles",
    tags=("roles",),
    response=list[str],
)
def my_roles(ctx: RequestContext) -> list[str]:
    return sorted(role.value for role in ctx.user.roles)


@endpoint(
    bp,
    "/api/v1/roles/assign",
    "POST",
    summary="Give a user a role",
    tags=("roles",),
    auth="admin",
    body=RoleAssignment,
    response=UserOut,
)
def assign_role(ctx: RequestContext[RoleAssignment]) -> UserOut:
    body = ctx.body
    return UserOut.from_domain(wiring.accounts().assign_role(ctx.user, body.user_id, body.role))


@endpoint(
    bp,
    "/api/v1/roles/assign",
    "DELETE",
    summary="Take a role from a user",
    tags=("roles",),
    auth="admin",
    body=RoleAssignment,
    response=UserOut,
    description="Admins cannot remove their own admin role.",
)
def remove_role(ctx: RequestContext[RoleAssignment]) -> UserOut:
    body = ctx.body
    return UserOut.from_domain(wiring.accounts().remove_role(ctx.user, body.user_id, body.role))
