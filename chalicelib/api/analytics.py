"""Analytics (issue 12): dashboard, utilisation, booked versus used, peaks, popular
resources, cancellations, per-user patterns and CSV exports. Admins see everyone's figures;
anyone else their own (the service picks the scope from the principal)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.analytics import (
    BookedVsUsed,
    Cancellations,
    Dashboard,
    Peaks,
    PeaksQuery,
    Popular,
    PopularQuery,
    RangeQuery,
    UserPatterns,
    Utilisation,
    UtilisationQuery,
)
from chalicelib.domain.analytics.report import DateRange
from chalicelib.domain.csv_cells import csv_line

bp = Blueprint(__name__)
TAGS = ("analytics",)
# OAuth clients read analytics with the reservations read scope (their owner's figures).
SCOPE = "reservations:read"
BASE = "/api/v1/analytics"
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _range(q: RangeQuery) -> DateRange:
    return wiring.analytics().range(q.from_, q.to)


def _dates(rng: DateRange) -> dict[str, Any]:
    return {"range_from": rng.first, "range_to": rng.last}


def _csv(body: str, filename: str) -> Reply:
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Reply(body, 200, headers)


@endpoint(
    bp,
    BASE + "/dashboard",
    summary="Headline figures",
    tags=TAGS,
    scope=SCOPE,
    query=RangeQuery,
    response=Dashboard,
)
def dashboard(ctx: RequestContext[None, RangeQuery]) -> Dashboard:
    rng = _range(ctx.query)
    return Dashboard(**_dates(rng), **wiring.analytics().dashboard(ctx.user, rng))


@endpoint(
    bp,
    BASE + "/utilisation",
    summary="Booked / open hours per resource, tag, building or location",
    description="`group`: one row per resource (default), tag, building or location (a "
    "location's row covers its subtree). `tag`, `building` and `location` (a group id: its "
    "subtree) narrow the resources counted; an unknown location is a 404.",
    tags=TAGS,
    scope=SCOPE,
    query=UtilisationQuery,
    response=Utilisation,
)
def utilisation(ctx: RequestContext[None, UtilisationQuery]) -> Reply:
    q = ctx.query
    rng = _range(q)
    rows = wiring.analytics().utilisation(ctx.user, rng, q.group, q.tag, **q.only)

    def build() -> str:
        answer = Utilisation(**_dates(rng), group=q.group, items=rows)  # type: ignore[arg-type]
        return answer.model_dump_json(by_alias=True)

    # An admin's 1,000 rows are the same list until an event or the catalogue changes them:
    # their JSON too (api/json_memo.py).
    text = wiring.utilisation_json().text(rows, (rng.first, rng.last, q.group), build)
    return Reply(text, 200, {"Content-Type": "application/json"})


@endpoint(
    bp,
    BASE + "/booked-vs-used",
    summary="Booked, checked-in, no-show, rebooked time",
    tags=TAGS,
    scope=SCOPE,
    query=RangeQuery,
    response=BookedVsUsed,
)
def booked_vs_used(ctx: RequestContext[None, RangeQuery]) -> BookedVsUsed:
    rng = _range(ctx.query)
    return BookedVsUsed(**_dates(rng), **wiring.analytics().booked_vs_used(ctx.user, rng))


@endpoint(
    bp,
    BASE + "/peaks",
    summary="Booked hours by weekday x hour",
    tags=TAGS,
    scope=SCOPE,
    query=PeaksQuery,
    response=Peaks,
)
def peaks(ctx: RequestContext[None, PeaksQuery]) -> Peaks:
    q = ctx.query
    rng = _range(q)
    matrix = wiring.analytics().peaks(ctx.user, rng, q.zone, q.resource_id)
    return Peaks(**_dates(rng), tz=q.tz, weekdays=WEEKDAYS, matrix=matrix)


@endpoint(
    bp,
    BASE + "/popular",
    summary="Most booked resources",
    tags=TAGS,
    scope=SCOPE,
    query=PopularQuery,
    response=Popular,
)
def popular(ctx: RequestContext[None, PopularQuery]) -> Popular:
    rng = _range(ctx.query)
    rows = wiring.analytics().popular(ctx.user, rng, ctx.query.limit)
    return Popular(**_dates(rng), items=rows)  # type: ignore[arg-type]


@endpoint(
    bp,
    BASE + "/cancellations",
    summary="Cancellation rate and lead times",
    tags=TAGS,
    scope=SCOPE,
    query=RangeQuery,
    response=Cancellations,
)
def cancellations(ctx: RequestContext[None, RangeQuery]) -> Cancellations:
    rng = _range(ctx.query)
    return Cancellations(**_dates(rng), **wiring.analytics().cancellations(ctx.user, rng))


@endpoint(
    bp,
    BASE + "/user-patterns",
    summary="Per-user figures (admins)",
    tags=TAGS,
    scope=SCOPE,
    auth="admin",
    query=RangeQuery,
    response=UserPatterns,
)
def user_patterns(ctx: RequestContext[None, RangeQuery]) -> UserPatterns:
    rng = _range(ctx.query)
    rows = wiring.analytics().user_patterns(ctx.user, rng)
    return UserPatterns(**_dates(rng), items=rows)  # type: ignore[arg-type]


@endpoint(
    bp,
    BASE + "/export/utilisation.csv",
    summary="Utilisation as CSV",
    tags=TAGS,
    scope=SCOPE,
    query=UtilisationQuery,
)
def export_utilisation(ctx: RequestContext[None, UtilisationQuery]) -> Reply:
    q = ctx.query
    rng = _range(q)
    rows = wiring.analytics().utilisation_csv(ctx.user, rng, q.group, q.tag, **q.only)
    return _csv("".join(csv_line(r) for r in rows), "utilisation.csv")


@endpoint(
    bp,
    BASE + "/export/reservations.csv",
    summary="Reservations as CSV (yours; admins: all)",
    tags=TAGS,
    scope=SCOPE,
    query=RangeQuery,
)
def export_reservations(ctx: RequestContext[None, RangeQuery]) -> Reply:
    rng = _range(ctx.query)
    return _csv(wiring.analytics_export().csv(ctx.user, rng), "reservations.csv")
