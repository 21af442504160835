"""Maintenance and live status, business hours, blackout dates (per resource and global)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.resources import (
    BlackoutIn,
    BlackoutOut,
    DateRangeQuery,
    DefaultHoursOut,
    HoursIn,
    HoursOut,
    MaintenanceIn,
    StatusOut,
    week,
)
from chalicelib.services.catalog.resources import ResourceView
from chalicelib.services.catalog.rules import HoursView

bp = Blueprint(__name__)
TAGS = ("resources",)
HOURS_TAGS = ("business hours",)
BLACKOUT_TAGS = ("blackouts",)
READ = "resources:read"
WRITE = "resources:write"


def _status(ctx: RequestContext[Any, Any], view: ResourceView) -> StatusOut:
    return StatusOut.of(view, wiring.clock().now(), ctx.principal)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/status",
    summary="Live status, current reservation and maintenance countdown",
    tags=TAGS,
    scope=READ,
    response=StatusOut,
    description="Computed on read; a maintenance whose auto-reset time has passed is over.",
)
def get_status(ctx: RequestContext, resource_id: str) -> StatusOut:
    return _status(ctx, wiring.resources().status(ctx.user, resource_id))


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/status/unavailable",
    "PUT",
    summary="Put a resource into maintenance",
    tags=TAGS,
    scope=WRITE,
    body=MaintenanceIn,
    response=StatusOut,
    description="`auto_reset_hours` (default 8; 0 = until ended) ends it automatically.",
)
def start_maintenance(ctx: RequestContext[MaintenanceIn], resource_id: str) -> StatusOut:
    body = ctx.body
    view = wiring.resources().start_maintenance(
        ctx.user, resource_id, body.reason, body.auto_reset_hours
    )
    return _status(ctx, view)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/status/available",
    "PUT",
    summary="End a resource's maintenance",
    tags=TAGS,
    scope=WRITE,
    response=StatusOut,
)
def end_maintenance(ctx: RequestContext, resource_id: str) -> StatusOut:
    return _status(ctx, wiring.resources().end_maintenance(ctx.user, resource_id))


# --- business hours -------------------------------------------------------------------------


def _hours(resource_id: str, view: HoursView) -> HoursOut:
    return HoursOut(
        resource_id=resource_id,
        days=week(view.own),
        source=view.source,
        effective=week(view.effective),
        version=view.version,
    )


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/business-hours",
    summary="A resource's weekly opening hours (its own, or the default)",
    tags=HOURS_TAGS,
    scope=READ,
    response=HoursOut,
)
def get_hours(ctx: RequestContext, resource_id: str) -> HoursOut:
    return _hours(resource_id, wiring.resource_rules().hours(ctx.user, resource_id))


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/business-hours",
    "PUT",
    summary="Set a resource's weekly opening hours",
    tags=HOURS_TAGS,
    scope=WRITE,
    body=HoursIn,
    response=HoursOut,
    description="Times are local to the resource's time zone. `days: null` uses the default.",
)
def put_hours(ctx: RequestContext[HoursIn], resource_id: str) -> HoursOut:
    hours = ctx.body.to_domain()
    return _hours(resource_id, wiring.resource_rules().set_hours(ctx.user, resource_id, hours))


@endpoint(
    bp,
    "/api/v1/business-hours/default",
    summary="The default weekly opening hours (null: always open)",
    tags=HOURS_TAGS,
    scope=READ,
    response=DefaultHoursOut,
)
def get_default_hours(ctx: RequestContext) -> DefaultHoursOut:
    return DefaultHoursOut(days=week(wiring.resource_rules().default_hours(ctx.user)))


@endpoint(
    bp,
    "/api/v1/business-hours/default",
    "PUT",
    summary="Set the default weekly opening hours",
    tags=HOURS_TAGS,
    scope=WRITE,
    body=HoursIn,
    response=DefaultHoursOut,
    description="Applies to every resource without its own hours. `days: null`: always open.",
)
def put_default_hours(ctx: RequestContext[HoursIn]) -> DefaultHoursOut:
    hours = ctx.body.to_domain()
    wiring.resource_rules().set_default_hours(ctx.user, hours)
    return DefaultHoursOut(days=week(hours))


# --- blackouts ------------------------------------------------------------------------------


def _list_blackouts(
    ctx: RequestContext[None, DateRangeQuery], resource_id: str | None
) -> list[BlackoutOut]:
    query = ctx.query
    found = wiring.resource_rules().blackouts(ctx.user, resource_id, query.from_, query.to)
    return [BlackoutOut.of(b) for b in found]


def _add_blackout(ctx: RequestContext[BlackoutIn], resource_id: str | None) -> BlackoutOut:
    body = ctx.body
    blackout = wiring.resource_rules().add_blackout(
        ctx.user, resource_id, body.start_date, body.end_date, body.reason
    )
    return BlackoutOut.of(blackout)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/blackouts",
    summary="Blackout dates touching a date range: the resource's and global ones",
    tags=BLACKOUT_TAGS,
    scope=READ,
    query=DateRangeQuery,
    response=list[BlackoutOut],
    description="Dates are local to the resource's zone; the range spans at most 731 days.",
)
def list_resource_blackouts(
    ctx: RequestContext[None, DateRangeQuery], resource_id: str
) -> list[BlackoutOut]:
    return _list_blackouts(ctx, resource_id)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/blackouts",
    "POST",
    summary="Close a resource for a date range",
    tags=BLACKOUT_TAGS,
    scope=WRITE,
    body=BlackoutIn,
    response=BlackoutOut,
    status=201,
)
def add_resource_blackout(ctx: RequestContext[BlackoutIn], resource_id: str) -> BlackoutOut:
    return _add_blackout(ctx, resource_id)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/blackouts/{blackout_id}",
    "DELETE",
    summary="Remove a resource's blackout",
    tags=BLACKOUT_TAGS,
    scope=WRITE,
    status=204,
)
def delete_resource_blackout(ctx: RequestContext, resource_id: str, blackout_id: str) -> Reply:
    wiring.resource_rules().remove_blackout(ctx.user, resource_id, blackout_id)
    return Reply(None, 204)


@endpoint(
    bp,
    "/api/v1/blackouts",
    summary="Global blackout dates touching a date range (UTC dates)",
    tags=BLACKOUT_TAGS,
    scope=READ,
    query=DateRangeQuery,
    response=list[BlackoutOut],
)
def list_global_blackouts(ctx: RequestContext[None, DateRangeQuery]) -> list[BlackoutOut]:
    return _list_blackouts(ctx, None)


@endpoint(
    bp,
    "/api/v1/blackouts",
    "POST",
    summary="Close every resource for a date range",
    tags=BLACKOUT_TAGS,
    scope=WRITE,
    body=BlackoutIn,
    response=BlackoutOut,
    status=201,
    description="Dates are read in each resource's own time zone.",
)
def add_global_blackout(ctx: RequestContext[BlackoutIn]) -> BlackoutOut:
    return _add_blackout(ctx, None)


@endpoint(
    bp,
    "/api/v1/blackouts/{blackout_id}",
    "DELETE",
    summary="Remove a global blackout",
    tags=BLACKOUT_TAGS,
    scope=WRITE,
    status=204,
)
def delete_global_blackout(ctx: RequestContext, blackout_id: str) -> Reply:
    wiring.resource_rules().remove_blackout(ctx.user, None, blackout_id)
    return Reply(None, 204)
