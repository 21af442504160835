"""The audit log: admin queries and exports, and every user's own activity."""

from __future__ import annotations

from collections.abc import Iterable

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.audit import (
    AuditEntryOut,
    AuditFilters,
    AuditPage,
    AuditQuery,
    AuditWindowQuery,
)
from chalicelib.api.schemas.audit_stats import (
    AuditFilterValuesOut,
    AuditStatsOut,
    AuditStatsQuery,
)
from chalicelib.domain.pipeline.audit import AuditEntry

bp = Blueprint(__name__)
TAGS = ("audit",)
BASE = "/api/v1/audit"


def _page(items: Iterable[AuditEntry], cursor: str | None) -> AuditPage:
    return AuditPage(items=[AuditEntryOut.from_domain(e) for e in items], next_cursor=cursor)


@endpoint(
    bp,
    BASE + "/logs",
    summary="Audit entries (filter by entity, actor, action, time)",
    tags=TAGS,
    auth="admin",
    query=AuditQuery,
    response=AuditPage,
)
def list_logs(ctx: RequestContext[None, AuditQuery]) -> AuditPage:
    q = ctx.query
    items, cursor = wiring.audit().page(ctx.user, q.to_filter(), limit=q.limit, cursor=q.cursor)
    return _page(items, cursor)


@endpoint(
    bp,
    BASE + "/logs/{entry_id}",
    summary="One audit entry",
    tags=TAGS,
    auth="admin",
    response=AuditEntryOut,
)
def get_log(ctx: RequestContext, entry_id: str) -> AuditEntryOut:
    return AuditEntryOut.from_domain(wiring.audit().get(ctx.user, entry_id))


@endpoint(
    bp,
    BASE + "/entity/{entity_type}/{entity_id}",
    summary="History of one entity",
    tags=TAGS,
    auth="admin",
    query=AuditWindowQuery,
    response=AuditPage,
)
def entity_history(
    ctx: RequestContext[None, AuditWindowQuery], entity_type: str, entity_id: str
) -> AuditPage:
    q = ctx.query
    spec = q.to_filter(entity_type=entity_type, entity_id=entity_id)
    items, cursor = wiring.audit().page(ctx.user, spec, limit=q.limit, cursor=q.cursor)
    return _page(items, cursor)


@endpoint(
    bp,
    BASE + "/user/{user_id}/activity",
    summary="What one user did",
    tags=TAGS,
    auth="admin",
    query=AuditWindowQuery,
    response=AuditPage,
)
def user_activity(ctx: RequestContext[None, AuditWindowQuery], user_id: str) -> AuditPage:
    q = ctx.query
    spec = q.to_filter(actor_id=user_id)
    items, cursor = wiring.audit().page(ctx.user, spec, limit=q.limit, cursor=q.cursor)
    return _page(items, cursor)


@endpoint(
    bp,
    BASE + "/my-activity",
    summary="What I did",
    tags=TAGS,
    query=AuditWindowQuery,
    response=AuditPage,
)
def my_activity(ctx: RequestContext[None, AuditWindowQuery]) -> AuditPage:
    q = ctx.query
    items, cursor = wiring.audit().my_activity(
        ctx.user, q.to_filter(), limit=q.limit, cursor=q.cursor
    )
    return _page(items, cursor)


@endpoint(
    bp,
    BASE + "/export/csv",
    summary="Export matching entries as CSV (max 10,000)",
    tags=TAGS,
    auth="admin",
    query=AuditFilters,
)
def export_csv(ctx: RequestContext[None, AuditFilters]) -> Reply:
    q = ctx.query
    body = "".join(wiring.audit().export_csv(ctx.user, q.to_filter()))
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="audit.csv"',
    }
    return Reply(body, 200, headers)


@endpoint(
    bp,
    BASE + "/export/json",
    summary="Export matching entries as JSON (max 10,000)",
    tags=TAGS,
    auth="admin",
    query=AuditFilters,
)
def export_json(ctx: RequestContext[None, AuditFilters]) -> Reply:
    q = ctx.query
    body = "".join(wiring.audit().export_json(ctx.user, q.to_filter()))
    headers = {
        "Content-Type": "application/json",
        "Content-Disposition": 'attachment; filename="audit.json"',
    }
    return Reply(body, 200, headers)


# --- statistics and filter values (issue 14) -----------------------------------------------


@endpoint(
    bp,
    BASE + "/statistics",
    summary="Counts by action, actor and entity type over UTC days (at most 92)",
    tags=TAGS,
    auth="admin",
    query=AuditStatsQuery,
    response=AuditStatsOut,
    description=(
        "Read from counters kept when entries are written (not a scan of the log). "
        "422 `invalid_range` when from > to, `range_too_wide` beyond 92 days."
    ),
)
def statistics(ctx: RequestContext[None, AuditStatsQuery]) -> AuditStatsOut:
    q = ctx.query
    return AuditStatsOut.from_domain(wiring.audit_stats().statistics(ctx.user, q.from_, q.to))


@endpoint(
    bp,
    BASE + "/filters",
    summary="The actions, entity types and actors seen in the log (filter values)",
    tags=TAGS,
    auth="admin",
    response=AuditFilterValuesOut,
)
def filter_values(ctx: RequestContext) -> AuditFilterValuesOut:
    return AuditFilterValuesOut.from_domain(wiring.audit_stats().filter_values(ctx.user))
