"""Composite resources (issue 14): a resource's parts and the composites it belongs to.

`GET /api/v1/resources/{id}/parts` (anyone who may read resources) and `PUT` the whole list
(administrators, write clients, group admins of the composite and of the parts changed).
Booking rules: docs/composite-resources.md.
"""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.composites import PartsIn, PartsOut

bp = Blueprint(__name__)
TAGS = ("resources",)
PATH = "/api/v1/resources/{resource_id}/parts"


@endpoint(
    bp,
    PATH,
    summary="A resource's parts and the composites it is a part of",
    tags=TAGS,
    scope="resources:read",
    response=PartsOut,
)
def get_parts(ctx: RequestContext, resource_id: str) -> PartsOut:
    return PartsOut.of(wiring.composites().of(ctx.user, resource_id))


@endpoint(
    bp,
    PATH,
    "PUT",
    summary="Set a composite resource's parts (the whole list; empty: not a composite)",
    tags=TAGS,
    scope="resources:write",
    delegated=True,
    body=PartsIn,
    response=PartsOut,
)
def set_parts(ctx: RequestContext[PartsIn], resource_id: str) -> PartsOut:
    return PartsOut.of(wiring.composites().set_parts(ctx.user, resource_id, ctx.body.parts))
