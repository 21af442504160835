"""Metrics: the recorder every handler shares (it buffers request counts per process) and
the admin summary (docs/observability.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.topology import TOPOLOGY
from chalicelib.wiring.core import aws, built, clock, pick, wall_clock

if TYPE_CHECKING:
    from chalicelib.integrations.emf import Emitter
    from chalicelib.services.pipeline.metrics import MetricsRecorder, MetricsSummaryService
    from chalicelib.store.pipeline.metric_counters import MetricCounterStore


@built
def metric_counters() -> MetricCounterStore:
    from chalicelib.store.pipeline.metric_counters import MetricCounterStore

    return MetricCounterStore()


@built
def metrics_recorder() -> MetricsRecorder:
    from chalicelib.integrations.emf import EmfEmitter
    from chalicelib.services.pipeline.metrics import MetricsRecorder

    emitter: Emitter = pick("emitter", EmfEmitter)
    return MetricsRecorder(metric_counters(), emitter, clock(), wall_clock())


@built
def metrics_summary() -> MetricsSummaryService:
    from chalicelib.integrations.queue_depths import SqsQueueDepths
    from chalicelib.services.pipeline.metrics import MetricsSummaryService

    return MetricsSummaryService(
        metrics_recorder(), metric_counters(), SqsQueueDepths(aws("sqs"), TOPOLOGY), clock()
    )
