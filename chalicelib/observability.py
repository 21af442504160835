"""One Logger and one Metrics for the whole app (Powertools singletons)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

# Powertools reads POWERTOOLS_* itself; the service name is fixed so logs and metrics line up.
logger = Logger(service="resource-reserver")
metrics = Metrics(namespace="ResourceReserver", service="resource-reserver")
