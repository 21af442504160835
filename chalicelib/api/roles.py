"""Roles: the built-in ones, custom roles (named sets of scopes, roles14) and assignment.

Built-in roles (admin, user, guest) are listed here but never edited; custom roles are
created, edited (PUT every field, PATCH some; `version` guards against lost updates) and
deleted (refused with 409 role_in_use while anyone holds them) by administrators only.
"""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.auth import UserOut
from chalicelib.api.schemas.roles import (
    ClientRoleAssignment,
    ClientRolesOut,
    RoleAssignment,
    RoleCreate,
    RoleDeleteQuery,
    RoleOut,
    RolePatch,
    RoleReplace,
    ScopeOut,
)
from chalicelib.domain.accounts.roles import RoleChanges

bp = Blueprint(__name__)
TAGS = ("roles",)


@endpoint(
    bp,
    "/api/v1/roles",
    summary="The roles (built-in and custom) and the scopes they grant",
    tags=TAGS,
    auth="admin",
    response=list[RoleOut],
)
def list_roles(ctx: RequestContext) -> list[RoleOut]:
    return [RoleOut.from_view(v) for v in wiring.roles().list_roles(ctx.user)]


@endpoint(
    bp,
    "/api/v1/roles/scopes",
    summary="Every permission scope the API knows",
    tags=TAGS,
    auth="admin",
    response=list[ScopeOut],
    description="`grantable` is false for `admin`: only the built-in admin role grants it.",
)
def list_scopes(ctx: RequestContext) -> list[ScopeOut]:
    return [ScopeOut.from_view(v) for v in wiring.roles().scopes(ctx.user)]


@endpoint(
    bp,
    "/api/v1/roles",
    "POST",
    summary="Create a custom role",
    tags=TAGS,
    auth="admin",
    body=RoleCreate,
    response=RoleOut,
    status=201,
)
def create_role(ctx: RequestContext[RoleCreate]) -> RoleOut:
    body = ctx.body
    view = wiring.roles().create(ctx.user, body.name, body.description, body.scopes)
    return RoleOut.from_view(view)


@endpoint(
    bp,
    "/api/v1/roles/{name}",
    summary="One role",
    tags=TAGS,
    auth="admin",
    response=RoleOut,
)
def show_role(ctx: RequestContext, name: str) -> RoleOut:
    return RoleOut.from_view(wiring.roles().show(ctx.user, name))


@endpoint(
    bp,
    "/api/v1/roles/{name}",
    "PUT",
    summary="Replace a custom role's description and scopes",
    tags=TAGS,
    auth="admin",
    body=RoleReplace,
    response=RoleOut,
    description="Holders get the new scopes on their next request. 409 version_conflict "
    "when `version` is given and the role moved on.",
)
def replace_role(ctx: RequestContext[RoleReplace], name: str) -> RoleOut:
    body = ctx.body
    changes = RoleChanges(body.description, frozenset(body.scopes), body.version)
    return RoleOut.from_view(wiring.roles().update(ctx.user, name, changes))


@endpoint(
    bp,
    "/api/v1/roles/{name}",
    "PATCH",
    summary="Change a custom role's description or scopes",
    tags=TAGS,
    auth="admin",
    body=RolePatch,
    response=RoleOut,
)
def patch_role(ctx: RequestContext[RolePatch], name: str) -> RoleOut:
    body = ctx.body
    scopes = None if body.scopes is None else frozenset(body.scopes)
    changes = RoleChanges(body.description, scopes, body.version)
    return RoleOut.from_view(wiring.roles().update(ctx.user, name, changes))


@endpoint(
    bp,
    "/api/v1/roles/{name}",
    "DELETE",
    summary="Delete a custom role",
    tags=TAGS,
    auth="admin",
    query=RoleDeleteQuery,
    status=204,
    description="409 role_in_use while a user or OAuth client holds it.",
)
def delete_role(ctx: RequestContext[None, RoleDeleteQuery], name: str) -> Reply:
    wiring.roles().delete(ctx.user, name, ctx.query.version)
    return Reply(None, 204)


@endpoint(
    bp,
    "/api/v1/roles/my-roles",
    summary="My roles (built-in and custom)",
    tags=TAGS,
    response=list[str],
)
def my_roles(ctx: RequestContext) -> list[str]:
    user = wiring.accounts().profile(ctx.user)
    return sorted({role.value for role in user.effective_roles} | user.custom_roles)


@endpoint(
    bp,
    "/api/v1/roles/assign",
    "POST",
    summary="Give a user a role (built-in or custom)",
    tags=TAGS,
    auth="admin",
    body=RoleAssignment,
    response=UserOut,
)
def assign_role(ctx: RequestContext[RoleAssignment]) -> UserOut:
    body = ctx.body
    return UserOut.from_domain(wiring.roles().assign_to_user(ctx.user, body.user_id, body.role))


@endpoint(
    bp,
    "/api/v1/roles/assign",
    "DELETE",
    summary="Take a role from a user",
    tags=TAGS,
    auth="admin",
    body=RoleAssignment,
    response=UserOut,
    description="Admins cannot remove their own admin role.",
)
def remove_role(ctx: RequestContext[RoleAssignment]) -> UserOut:
    body = ctx.body
    user = wiring.roles().unassign_from_user(ctx.user, body.user_id, body.role)
    return UserOut.from_domain(user)


@endpoint(
    bp,
    "/api/v1/roles/assign-client",
    "POST",
    summary="Give an OAuth client a custom role (its scopes add to the client's own)",
    tags=TAGS,
    auth="admin",
    body=ClientRoleAssignment,
    response=ClientRolesOut,
)
def assign_client_role(ctx: RequestContext[ClientRoleAssignment]) -> ClientRolesOut:
    body = ctx.body
    view = wiring.roles().assign_to_client(ctx.user, body.client_id, body.role)
    return ClientRolesOut.from_view(view)


@endpoint(
    bp,
    "/api/v1/roles/assign-client",
    "DELETE",
    summary="Take a custom role from an OAuth client",
    tags=TAGS,
    auth="admin",
    body=ClientRoleAssignment,
    response=ClientRolesOut,
)
def remove_client_role(ctx: RequestContext[ClientRoleAssignment]) -> ClientRolesOut:
    body = ctx.body
    view = wiring.roles().unassign_from_client(ctx.user, body.client_id, body.role)
    return ClientRolesOut.from_view(view)
