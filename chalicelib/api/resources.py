"""The resource catalogue: CRUD, listing/search, tags, CSV import, enable/disable, summary.

Reads: any signed-in principal with `resources:read` (guests included). Writes: principals
with `resources:write` (administrators, or OAuth clients granted it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.availability import ResourceSearchQuery
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.resources import (
    AvailabilityIn,
    DeletedOut,
    DeleteQuery,
    ImportOut,
    ResourceCreate,
    ResourceOut,
    ResourcePageOut,
    ResourcePatch,
    ResourceReplace,
    SummaryOut,
    TagChangeOut,
    TagOut,
    TagPageOut,
    TagRenameIn,
)
from chalicelib.services.catalog.resources import ResourceView

bp = Blueprint(__name__)
TAGS = ("resources",)
READ = "resources:read"
WRITE = "resources:write"


def _out(ctx: RequestContext[Any, Any], view: ResourceView) -> ResourceOut:
    return ResourceOut.of(view, private=ctx.user.is_admin)


@endpoint(
    bp,
    "/api/v1/resources",
    "POST",
    summary="Create a resource",
    tags=TAGS,
    scope=WRITE,
    body=ResourceCreate,
    response=ResourceOut,
    status=201,
    description="Names are unique, case-insensitively (409 `resource_name_taken`).",
)
def create_resource(ctx: RequestContext[ResourceCreate]) -> ResourceOut:
    return _out(ctx, wiring.resources().create(ctx.user, ctx.body.to_draft()))


_LIST_DESCRIPTION = (
    "Cursor pagination: pass `next_cursor` back as `cursor`. Each call reads a bounded number "
    "of index pages, so with very selective filters a page can hold fewer than `limit` items "
    "while `next_cursor` is still set; keep following it until it is absent. "
    "`available_from` + `available_until` (ISO 8601 with an offset, both or neither, at most "
    "7 days apart) keep only resources a user could book for that whole window right now: "
    "enabled, not in maintenance, inside business hours, no blackout, a duration within the "
    "resource's limits, and no occupying reservation overlapping it (buffers included)."
)


def _list(ctx: RequestContext[None, ResourceSearchQuery]) -> ResourcePageOut:
    query = ctx.query
    page = wiring.availability().search(
        ctx.user,
        query.to_domain(),
        query.limit,
        query.cursor,
        available_from=query.available_from,
        available_until=query.available_until,
    )
    return ResourcePageOut(
        items=[_out(ctx, view) for view in page.items], next_cursor=page.next_cursor
    )


@endpoint(
    bp,
    "/api/v1/resources",
    summary="List resources",
    tags=TAGS,
    scope=READ,
    query=ResourceSearchQuery,
    response=ResourcePageOut,
    description=_LIST_DESCRIPTION,
)
def list_resources(ctx: RequestContext[None, ResourceSearchQuery]) -> ResourcePageOut:
    return _list(ctx)


@endpoint(
    bp,
    "/api/v1/resources/search",
    summary="Search resources (same filters as the list)",
    tags=TAGS,
    scope=READ,
    query=ResourceSearchQuery,
    response=ResourcePageOut,
    description=_LIST_DESCRIPTION,
)
def search_resources(ctx: RequestContext[None, ResourceSearchQuery]) -> ResourcePageOut:
    return _list(ctx)


@endpoint(
    bp,
    "/api/v1/resources/availability/summary",
    summary="Counts: total, enabled, disabled, in maintenance",
    tags=TAGS,
    scope=READ,
    response=SummaryOut,
    description=(
        "`total` and `enabled` come from counters, `maintenance` from one marker per resource "
        "in maintenance, all kept by the catalogue's writes. `in_use` counts resources with a "
        "reservation running now, read from the reservations started in the last 7 days "
        "(the longest a reservation may last): its cost follows recent bookings, not the "
        "catalogue, and it is eventually consistent (an index read)."
    ),
)
def summary(ctx: RequestContext) -> SummaryOut:
    s = wiring.resources().summary(ctx.user)
    return SummaryOut(
        total=s.total,
        enabled=s.enabled,
        disabled=s.disabled,
        maintenance=s.maintenance,
        in_use=s.in_use,
    )


@endpoint(
    bp,
    "/api/v1/resources/upload",
    "POST",
    summary="Import resources from CSV (all or nothing)",
    tags=TAGS,
    scope=WRITE,
    response=ImportOut,
    status=201,
    content_types=["text/csv"],
    description=(
        "Body: UTF-8 CSV (at most 1 MB and 1000 rows) with a header row; columns: name "
        "(required), description, tags (';'-separated), capacity, building, floor, room, "
        "timezone, enabled, requires_approval, approvers (';'-separated), "
        "min_duration_minutes, max_duration_minutes, buffer_before_minutes, "
        "buffer_after_minutes, booking_horizon_days, min_notice_minutes. ALL OR NOTHING: if "
        "any row is invalid (422 `csv_invalid`) or a name is taken (409 `csv_name_conflict`), "
        "nothing is imported; `details.errors` lists every problem with its 1-based `row` "
        "(data rows, header not counted) and file `line`."
    ),
)
def upload_resources(ctx: RequestContext) -> ImportOut:
    result = wiring.resource_bulk().import_csv(ctx.user, ctx.raw_body)
    return ImportOut(imported=len(result.resource_ids), resource_ids=result.resource_ids)


@endpoint(
    bp,
    "/api/v1/resources/tags",
    summary="Tags in use, with how many resources carry each",
    tags=TAGS,
    scope=READ,
    query=PageQuery,
    response=TagPageOut,
)
def list_tags(ctx: RequestContext[None, PageQuery]) -> TagPageOut:
    tags, cursor = wiring.resource_bulk().tags(ctx.user, ctx.query.limit, ctx.query.cursor)
    return TagPageOut(items=[TagOut(tag=t, count=n) for t, n in tags], next_cursor=cursor)


@endpoint(
    bp,
    "/api/v1/resources/tags/rename",
    "PUT",
    summary="Rename a tag on every resource",
    tags=TAGS,
    scope=WRITE,
    body=TagRenameIn,
    response=TagChangeOut,
)
def rename_tag(ctx: RequestContext[TagRenameIn]) -> TagChangeOut:
    body = ctx.body
    change = wiring.resource_bulk().rename_tag(ctx.user, body.from_, body.to)
    return TagChangeOut(updated=change.updated, complete=change.complete)


@endpoint(
    bp,
    "/api/v1/resources/tags/{tag}",
    "DELETE",
    summary="Remove a tag from every resource",
    tags=TAGS,
    scope=WRITE,
    response=TagChangeOut,
)
def delete_tag(ctx: RequestContext, tag: str) -> TagChangeOut:
    change = wiring.resource_bulk().delete_tag(ctx.user, unquote(tag))
    return TagChangeOut(updated=change.updated, complete=change.complete)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}",
    summary="A resource with its live status",
    tags=TAGS,
    scope=READ,
    response=ResourceOut,
)
def get_resource(ctx: RequestContext, resource_id: str) -> ResourceOut:
    return _out(ctx, wiring.resources().get(ctx.user, resource_id))


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}",
    "PATCH",
    summary="Change some fields of a resource",
    tags=TAGS,
    scope=WRITE,
    delegated=True,  # group admins (catalog14)
    body=ResourcePatch,
    response=ResourceOut,
    description="With `version`, a resource changed meanwhile answers 409 `version_conflict`.",
)
def patch_resource(ctx: RequestContext[ResourcePatch], resource_id: str) -> ResourceOut:
    body = ctx.body
    view = wiring.resources().update(ctx.user, resource_id, body.edit, body.version)
    return _out(ctx, view)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}",
    "PUT",
    summary="Replace a resource's editable fields",
    tags=TAGS,
    scope=WRITE,
    body=ResourceReplace,
    response=ResourceOut,
    description="Omitted fields return to their defaults. A stale `version` answers 409.",
)
def replace_resource(ctx: RequestContext[ResourceReplace], resource_id: str) -> ResourceOut:
    body = ctx.body
    view = wiring.resources().update(ctx.user, resource_id, body.edit, body.version)
    return _out(ctx, view)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}",
    "DELETE",
    summary="Delete a resource",
    tags=TAGS,
    scope=WRITE,
    query=DeleteQuery,
    response=DeletedOut,
    description=(
        "Refused with 409 `resource_has_future_reservations` while it has future reservations, "
        "unless `force=true`, which cancels them first."
    ),
)
def delete_resource(ctx: RequestContext[None, DeleteQuery], resource_id: str) -> DeletedOut:
    cancelled = wiring.resources().delete(ctx.user, resource_id, force=ctx.query.force)
    return DeletedOut(resource_id=resource_id, cancelled_reservations=cancelled)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/availability",
    "PUT",
    summary="Enable or disable a resource",
    tags=TAGS,
    scope=WRITE,
    body=AvailabilityIn,
    response=ResourceOut,
)
def set_availability(ctx: RequestContext[AvailabilityIn], resource_id: str) -> ResourceOut:
    body = ctx.body
    return _out(ctx, wiring.resources().set_enabled(ctx.user, resource_id, body.enabled))
