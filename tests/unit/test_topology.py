"""TOPOLOGY and the app cannot drift: every queue, schedule and the stream has exactly one
handler in the app under the name the topology gives, and the app has no others."""

from __future__ import annotations

from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

from app import app
from chalicelib.domain.analytics.changes import ANALYTICS_RESERVATION_CHANGED
from chalicelib.domain.pipeline.catalogue import CATALOGUE
from chalicelib.domain.pipeline.events import AUDIT_CHANGE, INTERNAL_LIVE_EVENTS
from chalicelib.domain.pipeline.lanes import BULK_BATCH
from chalicelib.topology import STREAM_HANDLER, TOPOLOGY
from chalicelib.workers.batch import SELF_IDEMPOTENT


def sources(kind: type) -> list:  # type: ignore[type-arg]
    return [s for s in app.event_sources if isinstance(s, kind)]


def test_every_queue_has_its_handler_and_every_sqs_handler_its_queue() -> None:
    registered = {s.queue: s for s in sources(SQSEventConfig)}
    assert set(registered) == {q.name for q in TOPOLOGY.queues}
    for queue in TOPOLOGY.queues:
        source = registered[queue.name]
        assert source.name == queue.handler
        assert source.batch_size == queue.batch_size
        assert queue.handler in app.handler_map


def test_every_schedule_has_its_handler_at_its_rate_and_vice_versa() -> None:
    registered = {s.name: s for s in sources(ScheduledEventConfig)}
    assert set(registered) == {s.handler for s in TOPOLOGY.schedules}
    for schedule in TOPOLOGY.schedules:
        expression = registered[schedule.handler].schedule_expression
        rendered = expression if isinstance(expression, str) else expression.to_string()
        unit = "minute" if schedule.rate_minutes == 1 else "minutes"
        assert rendered == f"rate({schedule.rate_minutes} {unit})"


def test_the_stream_has_one_handler_under_the_topology_name() -> None:
    [stream] = sources(DynamoDBEventConfig)
    assert stream.name == STREAM_HANDLER
    assert f":table/{TOPOLOGY.table('main').default_name}/" in stream.stream_arn
    assert TOPOLOGY.table("main").stream


def test_rules_route_known_events_to_known_queues() -> None:
    queues = {q.name for q in TOPOLOGY.queues}
    for rule in TOPOLOGY.rules:
        assert rule.queue in queues, rule.name
        assert rule.event_names, rule.name  # an empty list would route every event
        known = set(CATALOGUE) | {AUDIT_CHANGE, *INTERNAL_LIVE_EVENTS}
        known.add(ANALYTICS_RESERVATION_CHANGED)  # analytics (issue 12), internal
        known.add(BULK_BATCH)  # bulk lane envelopes (issue 16), internal
        assert set(rule.event_names) <= known, rule.name


def test_queues_without_partial_batch_reporting_take_one_message_at_a_time() -> None:
    # Chalice cannot enable ReportBatchItemFailures (DESIGN.md trap 9): with one record per
    # batch, a failure fails the whole batch and Lambda retries it instead of deleting it.
    # A queue whose handler relies on batchItemFailures says so (the deployment must attach
    # it with ReportBatchItemFailures): the live queue, which coalesces its batch, and the
    # self-idempotent workers, which handle a batch at once (issue 16, workers/batch.py).
    assert all(q.batch_size == 1 for q in TOPOLOGY.queues if not q.reports_partial_failures)
    assert {q.name for q in TOPOLOGY.queues if q.reports_partial_failures} == {
        "reserver-live",
        *SELF_IDEMPOTENT,
    }
    assert all(q.dlq_name.endswith("-dlq") and q.max_receive_count >= 2 for q in TOPOLOGY.queues)
