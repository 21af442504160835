"""CloudWatch metrics as Embedded Metric Format lines (Powertools), one line per data point.

Powertools' `single_metric` prints whatever the settings say, so the switch is honoured here:
with `POWERTOOLS_METRICS_DISABLED=true` (tests, `make run`, compose) nothing is printed and
test output stays clean. Each line carries its own dimensions, so a denial's `rule` or a
queue's name never leaks onto another metric.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from chalicelib.observability import METRICS_NAMESPACE, SERVICE


class Emitter(Protocol):
    def emit(self, name: str, unit: str, value: float, dimensions: Mapping[str, str]) -> None: ...


class EmfEmitter:
    def emit(self, name: str, unit: str, value: float, dimensions: Mapping[str, str]) -> None:
        if is_metrics_disabled():
            return
        with single_metric(
            name=name,
            unit=MetricUnit(unit),
            value=value,
            namespace=METRICS_NAMESPACE,
            default_dimensions={"service": SERVICE, **dimensions},
        ):
            pass


class NullEmitter:
    """For tests that want to see what would have been emitted."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, str, float, dict[str, str]]] = []

    def emit(self, name: str, unit: str, value: float, dimensions: Mapping[str, str]) -> None:
        self.emitted.append((name, unit, value, dict(dimensions)))
