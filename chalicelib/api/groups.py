"""Locations: the resource-group tree, moves, resources in groups, group-scoped admins.

Reads: `resources:read`. Structure and grants: administrators. Putting a resource into a group
(or taking it out): administrators, and group admins inside the subtrees granted to them.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.locations import (
    AncestorsOut,
    AssignIn,
    GrantOut,
    GroupAdminsOut,
    GroupCreate,
    GroupDetailOut,
    GroupListOut,
    GroupListQuery,
    GroupNodeOut,
    GroupOut,
    GroupPatch,
    GroupTreeOut,
)
from chalicelib.api.schemas.resources import ResourceOut, ResourcePageOut
from chalicelib.domain.catalog.groups import MAX_DEPTH, MAX_GROUPS
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.services.catalog.groups import UNSET, GroupEdit

bp = Blueprint(__name__)
TAGS = ("locations",)
READ = "resources:read"
WRITE = "resources:write"
BASE = "/api/v1/resource-groups"


@endpoint(
    bp,
    BASE,
    "POST",
    summary="Create a group",
    tags=TAGS,
    scope=WRITE,
    body=GroupCreate,
    response=GroupOut,
    status=201,
    description=(f"At most {MAX_GROUPS} groups, nested at most {MAX_DEPTH} levels deep."),
)
def create_group(ctx: RequestContext[GroupCreate]) -> GroupOut:
    b = ctx.body
    group = wiring.groups().create(ctx.user, b.name, b.kind, b.parent_id, b.description)
    return GroupOut.of(group)


@endpoint(
    bp,
    BASE,
    summary="Every group (flat)",
    tags=TAGS,
    scope=READ,
    query=GroupListQuery,
    response=GroupListOut,
)
def list_groups(ctx: RequestContext[None, GroupListQuery]) -> GroupListOut:
    kind = ctx.query.kind
    groups = [g for g in wiring.groups().flat() if kind is None or g.kind == kind]
    return GroupListOut(items=[GroupOut.of(g) for g in groups])


@endpoint(
    bp,
    f"{BASE}/tree",
    summary="The whole tree in one response",
    tags=TAGS,
    scope=READ,
    response=GroupTreeOut,
)
def group_tree(ctx: RequestContext) -> GroupTreeOut:
    roots = [GroupNodeOut.of(n) for n in wiring.groups().tree()]
    return GroupTreeOut(roots=roots, max_depth=MAX_DEPTH, max_groups=MAX_GROUPS)


def _page(ctx: RequestContext[Any, Any], query: ResourceQuery) -> ResourcePageOut:
    page = wiring.resources().list(ctx.user, query, ctx.query.limit, ctx.query.cursor)
    items = [ResourceOut.of(v, private=ctx.user.is_admin) for v in page.items]
    return ResourcePageOut(items=items, next_cursor=page.next_cursor)


@endpoint(
    bp,
    f"{BASE}/ungrouped",
    summary="Resources in no group",
    tags=TAGS,
    scope=READ,
    query=PageQuery,
    response=ResourcePageOut,
)
def ungrouped(ctx: RequestContext[None, PageQuery]) -> ResourcePageOut:
    return _page(ctx, ResourceQuery(ungrouped=True))


@endpoint(
    bp,
    f"{BASE}/{{group_id}}",
    summary="A group, its ancestors and children",
    tags=TAGS,
    scope=READ,
    response=GroupDetailOut,
)
def get_group(ctx: RequestContext, group_id: str) -> GroupDetailOut:
    d = wiring.groups().get(group_id)
    return GroupDetailOut(
        group=GroupOut.of(d.group),
        ancestors=[GroupOut.of(g) for g in d.ancestors],
        children=[GroupOut.of(g) for g in d.children],
    )


@endpoint(
    bp,
    f"{BASE}/{{group_id}}",
    "PATCH",
    summary="Rename or move a group",
    tags=TAGS,
    scope=WRITE,
    body=GroupPatch,
    response=GroupOut,
    description=(
        "`parent_id: null` makes it a root. A move under itself or a descendant answers "
        "409 `group_cycle`; a racing move is re-checked (see docs/catalog-groups.md)."
    ),
)
def patch_group(ctx: RequestContext[GroupPatch], group_id: str) -> GroupOut:
    b = ctx.body
    parent = b.parent_id if "parent_id" in b.model_fields_set else UNSET
    edit = GroupEdit(b.name, b.kind, b.description, parent)
    return GroupOut.of(wiring.groups().update(ctx.user, group_id, edit, b.version))


@endpoint(
    bp,
    f"{BASE}/{{group_id}}",
    "DELETE",
    summary="Delete an empty group",
    tags=TAGS,
    scope=WRITE,
    response=GroupOut,
    status=200,
    description="409 `group_not_empty` while it has child groups or resources.",
)
def delete_group(ctx: RequestContext, group_id: str) -> GroupOut:
    service = wiring.groups()
    group = service.get(group_id).group
    service.delete(ctx.user, group_id)
    return GroupOut.of(group)


@endpoint(
    bp,
    f"{BASE}/{{group_id}}/resources",
    summary="Resources in the group's subtree",
    tags=TAGS,
    scope=READ,
    query=PageQuery,
    response=ResourcePageOut,
)
def group_resources(ctx: RequestContext[None, PageQuery], group_id: str) -> ResourcePageOut:
    return _page(ctx, ResourceQuery(group=group_id))


@endpoint(
    bp,
    f"{BASE}/{{group_id}}/resources",
    "POST",
    summary="Put a resource in the group",
    tags=TAGS,
    scope=WRITE,
    delegated=True,
    body=AssignIn,
    response=ResourceOut,
)
def assign(ctx: RequestContext[AssignIn], group_id: str) -> ResourceOut:
    resource = wiring.groups().assign(ctx.user, ctx.body.resource_id, group_id)
    return ResourceOut.of(wiring.resources().get(ctx.user, resource.resource_id), private=True)


@endpoint(
    bp,
    f"{BASE}/{{group_id}}/resources/{{resource_id}}",
    "DELETE",
    summary="Take a resource out of the group (ungrouped)",
    tags=TAGS,
    scope=WRITE,
    delegated=True,
    response=ResourceOut,
)
def unassign(ctx: RequestContext, group_id: str, resource_id: str) -> ResourceOut:
    wiring.groups().unassign(ctx.user, resource_id, group_id)
    return ResourceOut.of(wiring.resources().get(ctx.user, resource_id), private=True)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/ancestors",
    summary="A resource's groups",
    tags=TAGS,
    scope=READ,
    response=AncestorsOut,
)
def ancestors(ctx: RequestContext, resource_id: str) -> AncestorsOut:
    chain = wiring.groups().ancestors_of_resource(resource_id)
    return AncestorsOut(resource_id=resource_id, ancestors=[GroupOut.of(g) for g in chain])


@endpoint(
    bp,
    f"{BASE}/{{group_id}}/admins",
    summary="The group's admins",
    tags=TAGS,
    auth="admin",
    response=GroupAdminsOut,
)
def group_admins(ctx: RequestContext, group_id: str) -> GroupAdminsOut:
    return GroupAdminsOut(group_id=group_id, user_ids=wiring.groups().admins(ctx.user, group_id))


@endpoint(
    bp,
    f"{BASE}/{{group_id}}/admins/{{user_id}}",
    "PUT",
    summary="Make a user admin of the group's resources",
    tags=TAGS,
    auth="admin",
    response=GrantOut,
)
def grant(ctx: RequestContext, group_id: str, user_id: str) -> GrantOut:
    wiring.groups().grant(ctx.user, group_id, user_id)
    return GrantOut(group_id=group_id, user_id=user_id)


@endpoint(
    bp,
    f"{BASE}/{{group_id}}/admins/{{user_id}}",
    "DELETE",
    summary="Revoke a group admin grant (idempotent)",
    tags=TAGS,
    auth="admin",
    response=GrantOut,
)
def revoke(ctx: RequestContext, group_id: str, user_id: str) -> GrantOut:
    wiring.groups().revoke(ctx.user, group_id, user_id)
    return GrantOut(group_id=group_id, user_id=user_id)
