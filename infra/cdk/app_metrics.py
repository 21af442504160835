"""The dashboard's row of application metrics: the EMF metrics the app emits
(chalicelib/domain/pipeline/metrics.py, docs/observability.md), one graph each.

Every metric carries the `service` dimension; split metrics add their own. Splits with a
known set of values (approval decisions, delivery outcomes, the topology's queues) get one
line per value; denials are split by rule codes the API may grow, so their graph is a
SEARCH over whatever rules have reported.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw

from chalicelib.domain.pipeline import metrics as m
from chalicelib.observability import METRICS_NAMESPACE, SERVICE
from chalicelib.topology import TOPOLOGY

PERIOD = Duration.minutes(5)
APPROVAL_DECISIONS = ("approved", "rejected", "expired")
DELIVERY_OUTCOMES = ("succeeded", "retrying", "failed", "skipped")


def app_metric(
    metric: m.MetricDef, split: str = "", statistic: str = "Sum", label: str | None = None
) -> cw.Metric:
    dimensions = {"service": SERVICE}
    if metric.dimension:
        dimensions[metric.dimension] = split
    return cw.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=metric.name,
        dimensions_map=dimensions,
        statistic=statistic,
        period=PERIOD,
        label=label or split or metric.name,
    )


def denials_by_rule() -> cw.MathExpression:
    d = m.DENIALS
    return cw.MathExpression(
        expression=(
            f"SEARCH('{{{METRICS_NAMESPACE},service,{d.dimension}}} "
            f"MetricName=\"{d.name}\"', 'Sum', {int(PERIOD.to_seconds())})"
        ),
        using_metrics={},
        label="denials by rule",
        period=PERIOD,
    )


def application_widgets() -> list[cw.IWidget]:
    return [
        cw.GraphWidget(
            title="Bookings, conflicts, offers, requests",
            left=[app_metric(x) for x in (m.BOOKINGS, m.CONFLICTS, m.OFFERS)],
            right=[app_metric(m.REQUESTS)],
        ),
        cw.GraphWidget(title="Denials by rule", left=[denials_by_rule()]),
        cw.GraphWidget(
            title="Approval decisions",
            left=[app_metric(m.APPROVALS, d) for d in APPROVAL_DECISIONS],
        ),
        cw.GraphWidget(
            title="Webhook delivery attempts",
            left=[app_metric(m.WEBHOOK_DELIVERIES, o) for o in DELIVERY_OUTCOMES],
        ),
        cw.GraphWidget(
            title="Queue lag at processing (ms, p95)",
            left=[app_metric(m.QUEUE_LAG, q.name, "p95") for q in TOPOLOGY.queues],
        ),
    ]
