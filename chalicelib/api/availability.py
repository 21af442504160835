"""When a resource is free: free time of a local date, and the next free window.

The free-window search over many resources is a filter of the resource listing
(`available_from` / `available_until` on `/api/v1/resources` and `/resources/search`).
"""

from __future__ import annotations

from datetime import timedelta

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.availability import (
    DayAvailabilityOut,
    DayQuery,
    NextAvailableOut,
    NextQuery,
)
from chalicelib.services.catalog.availability import SEARCH_DAYS

bp = Blueprint(__name__)
TAGS = ("availability",)
READ = "resources:read"


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/availability",
    summary="Free time of a resource on one local date",
    tags=TAGS,
    scope=READ,
    query=DayQuery,
    response=DayAvailabilityOut,
    description=(
        "Free intervals of the local `date` in the resource's time zone (23 or 25 hours long "
        "on DST days): inside business hours (the resource's, else the default), not on a "
        "blackout, not during maintenance, not before now plus the notice period, and away "
        "from every occupying reservation by the buffers. Intervals shorter than the minimum "
        "duration are left out. With `slot_minutes`, fixed slots on a grid from the opening "
        "time (422 `invalid_slot_length` outside the resource's duration limits). Instants "
        "are UTC with `Z`; `local_start`/`local_end` are the resource's wall clock."
    ),
)
def day_availability(ctx: RequestContext[None, DayQuery], resource_id: str) -> DayAvailabilityOut:
    query = ctx.query
    found = wiring.availability().day(ctx.user, resource_id, query.day, query.slot_minutes)
    return DayAvailabilityOut.of(found)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/next-available",
    summary="The next free window of a given length",
    tags=TAGS,
    scope=READ,
    query=NextQuery,
    response=NextAvailableOut,
    description=(
        f"Searches {SEARCH_DAYS} local dates from `after` (default now; the past and the "
        "notice period are skipped), with starts on a 5-minute grid. Finding nothing is not "
        "an error: the answer is 200 with `slot: null`, and `searched_until` tells where to "
        "continue (pass it as `after`). A length outside the resource's limits is 422 "
        "`duration_too_short` / `duration_too_long`."
    ),
)
def next_available(ctx: RequestContext[None, NextQuery], resource_id: str) -> NextAvailableOut:
    query = ctx.query
    duration = timedelta(minutes=query.duration_minutes)
    found = wiring.availability().next_free(ctx.user, resource_id, duration, query.after)
    return NextAvailableOut.of(found)
