"""Admin metrics: the counters of the last N minutes and the queues' depths (issue 15)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.metrics import MetricsQuery, MetricsSummaryOut

bp = Blueprint(__name__)


@endpoint(
    bp,
    "/api/v1/admin/metrics/summary",
    summary="Requests, bookings, conflicts, denials, queues and dead letters over a window",
    description="The same counters CloudWatch gets as EMF metrics (docs/observability.md).",
    tags=("admin",),
    auth="admin",
    query=MetricsQuery,
    response=MetricsSummaryOut,
)
def metrics_summary(ctx: RequestContext[None, MetricsQuery]) -> MetricsSummaryOut:
    return MetricsSummaryOut.of(wiring.metrics_summary().summary(ctx.user, ctx.query.minutes))
