"""Search: saved searches (owner-only), suggestions as you type, the resource search alias.

Same paths as the old product (`/api/v1/search/...`). Reservation search (issue 14) is
`GET /api/v1/search/reservations`: admins over everyone's, users over their own
(services/reservations/search.py).
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint
from pydantic import ValidationError

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.availability import ResourceSearchQuery
from chalicelib.api.schemas.locations import (
    RunQuery,
    SavedSearchIn,
    SavedSearchListOut,
    SavedSearchOut,
    SuggestionListOut,
    SuggestionOut,
    SuggestQuery,
)
from chalicelib.api.schemas.reservation_search import ReservationSearchQuery
from chalicelib.api.schemas.reservations import ReservationOut, ReservationPage
from chalicelib.api.schemas.resources import ResourceOut, ResourcePageOut
from chalicelib.domain.errors import InvalidInput
from chalicelib.services.catalog.search import suggest

bp = Blueprint(__name__)
TAGS = ("search",)
READ = "resources:read"
BASE = "/api/v1/search"
_PAGING = ("limit", "cursor")


def _filters(raw: dict[str, Any]) -> ResourceSearchQuery:
    """The stored filters through the list's own validation (422 `invalid_filters`)."""
    if any(k in raw for k in _PAGING):
        raise InvalidInput("filters hold no paging (limit, cursor)", code="invalid_filters")
    try:
        return ResourceSearchQuery.model_validate(raw)
    except ValidationError as exc:
        details = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        raise InvalidInput(
            "the saved filters are not valid", code="invalid_filters", details=details
        ) from None


def _run(
    ctx: RequestContext[Any, Any], query: ResourceSearchQuery, limit: int, cursor: str | None
) -> ResourcePageOut:
    page = wiring.availability().search(
        ctx.user,
        query.to_domain(),
        limit,
        cursor,
        available_from=query.available_from,
        available_until=query.available_until,
    )
    items = [ResourceOut.of(v, private=ctx.user.is_admin) for v in page.items]
    return ResourcePageOut(items=items, next_cursor=page.next_cursor)


@endpoint(
    bp,
    f"{BASE}/resources",
    summary="Search resources (alias of the list)",
    tags=TAGS,
    scope=READ,
    query=ResourceSearchQuery,
    response=ResourcePageOut,
)
def search_resources(ctx: RequestContext[None, ResourceSearchQuery]) -> ResourcePageOut:
    return _run(ctx, ctx.query, ctx.query.limit, ctx.query.cursor)


@endpoint(
    bp,
    f"{BASE}/suggestions",
    summary="Suggestions as you type",
    tags=TAGS,
    scope=READ,
    query=SuggestQuery,
    response=SuggestionListOut,
    description=(
        "Up to `limit` per kind (resource names and tags by prefix, labels and groups "
        "by substring); bounded key-range reads, never a scan."
    ),
)
def suggestions(ctx: RequestContext[None, SuggestQuery]) -> SuggestionListOut:
    found = suggest(wiring.suggestion_sources(), ctx.query.q, ctx.query.limit)
    return SuggestionListOut(
        items=[SuggestionOut(kind=s.kind, text=s.text, id=s.id) for s in found]  # type: ignore[arg-type]
    )


@endpoint(
    bp,
    f"{BASE}/saved",
    summary="My saved searches",
    tags=TAGS,
    scope=READ,
    response=SavedSearchListOut,
)
def list_saved(ctx: RequestContext) -> SavedSearchListOut:
    found = wiring.saved_searches().list(ctx.user)
    return SavedSearchListOut(items=[SavedSearchOut.of(s) for s in found])


@endpoint(
    bp,
    f"{BASE}/saved",
    "POST",
    summary="Save the current filters",
    tags=TAGS,
    scope=READ,
    self_service=True,
    body=SavedSearchIn,
    response=SavedSearchOut,
    status=201,
)
def save(ctx: RequestContext[SavedSearchIn]) -> SavedSearchOut:
    _filters(ctx.body.filters)
    return SavedSearchOut.of(
        wiring.saved_searches().save(ctx.user, ctx.body.name, ctx.body.filters)
    )


@endpoint(
    bp,
    f"{BASE}/saved/{{search_id}}",
    summary="One of my saved searches",
    tags=TAGS,
    scope=READ,
    response=SavedSearchOut,
)
def get_saved(ctx: RequestContext, search_id: str) -> SavedSearchOut:
    return SavedSearchOut.of(wiring.saved_searches().get(ctx.user, search_id))


@endpoint(
    bp,
    f"{BASE}/saved/{{search_id}}",
    "DELETE",
    summary="Delete a saved search",
    tags=TAGS,
    scope=READ,
    self_service=True,
    response=SavedSearchOut,
)
def delete_saved(ctx: RequestContext, search_id: str) -> SavedSearchOut:
    service = wiring.saved_searches()
    found = service.get(ctx.user, search_id)
    service.delete(ctx.user, search_id)
    return SavedSearchOut.of(found)


@endpoint(
    bp,
    f"{BASE}/saved/{{search_id}}/execute",
    "POST",
    summary="Run a saved search",
    tags=TAGS,
    scope=READ,
    self_service=True,
    query=RunQuery,
    response=ResourcePageOut,
)
def run_saved(ctx: RequestContext[None, RunQuery], search_id: str) -> ResourcePageOut:
    saved = wiring.saved_searches().get(ctx.user, search_id)
    return _run(ctx, _filters(saved.filters), ctx.query.limit, ctx.query.cursor)


# --- reservation search (issue 14, audit14) -------------------------------------------------


@endpoint(
    bp,
    f"{BASE}/reservations",
    summary="Search reservations (admins: everyone's; users: their own)",
    tags=(*TAGS, "reservations"),
    scope="reservations:read",
    query=ReservationSearchQuery,
    response=ReservationPage,
    description=ReservationSearchQuery.__doc__ or "",
)
def search_reservations(ctx: RequestContext[None, ReservationSearchQuery]) -> ReservationPage:
    listing = wiring.reservation_search().search(ctx.user, ctx.query.to_spec())
    names = listing.resource_names
    items = [ReservationOut.from_domain(r, names.get(r.resource_id)) for r in listing.items]
    return ReservationPage(items=items, next_cursor=listing.next_cursor)
