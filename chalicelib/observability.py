"""One Logger and one Metrics for the whole app (Powertools singletons), and the correlation id.

Every log line of a unit of work carries `correlation_id`: the API request's (its
`X-Correlation-Id` header or API Gateway's request id), then the event envelope's
`metadata.correlation_id` in the stream relay, each queue worker and the live pushes
(docs/observability.md).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

# Powertools reads POWERTOOLS_* itself; the service name is fixed so logs and metrics line up.
SERVICE = "resource-reserver"
METRICS_NAMESPACE = "ResourceReserver"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)


def correlate(correlation_id: str | None) -> None:
    """Stamp the following log lines with `correlation_id` (cleared when None)."""
    logger.set_correlation_id(correlation_id or None)
