"""Bulk-lane worker (issue 16): `pipeline.bulk_batch` envelopes -> the per-event handlers.

The stream relay packs the events of bulk/series/import writes into envelopes
(domain/pipeline/lanes.py) that only this queue receives. For each event inside, the worker
runs the handlers whose own queue's rule lists the event (`TOPOLOGY.rules`), through those
workers' own idempotency records (key prefix = the worker's queue), so an event handled here
is never handled twice, whichever lane a redelivery takes. Live pushes are coalesced per
envelope, as the live worker coalesces its batch (no idempotency record, clients drop repeats).

Fewer writes (issue 16): the handlers in `SELF_IDEMPOTENT` (workers/batch.py) make their
effect at most once per event id by themselves (notification, audit entry and webhook
delivery ids derive from the event id and are put with `attribute_not_exists`; analytics puts
its marker in its counters' transaction). In both lanes they run without the Powertools record
(two writes per handler and event saved); a redelivery re-runs them and changes nothing.
The waitlist (a re-run after the offer was declined could move the window on) keeps it.
Email (SES sends are not idempotent) claims its sends instead, one transaction per envelope.
Analytics, notify, webhooks and email go further (`BATCH_HANDLERS`): the envelope's events of
their kind are handled together, in a few transactions (see `BATCH_HANDLERS`).

Failures: every event is tried; if any handler failed, the record raises, so the envelope
comes back (batch size 1, so Lambda retries it without ReportBatchItemFailures) and only the
(worker, event) pairs not yet done run again; after `max_receive_count` receives the envelope
lands in the DLQ, and a redrive again runs only what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, SQSEvent

from chalicelib import wiring
from chalicelib.domain.pipeline import lanes
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.observability import correlate, logger
from chalicelib.topology import (
    ANALYTICS_QUEUE,
    AUDIT_QUEUE,
    BULK_QUEUE,
    EMAIL_QUEUE,
    LIVE_QUEUE,
    NOTIFY_QUEUE,
    TOPOLOGY,
    WAITLIST_QUEUE,
    WEBHOOK_QUEUE,
)
from chalicelib.workers import analytics, audit, email, notify, webhooks
from chalicelib.workers import waitlist as waitlist_worker
from chalicelib.workers.batch import SELF_IDEMPOTENT, Worker, observe_record, payload_of

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

bp = Blueprint(__name__)

# The queue a rule routes to -> its worker (tests/integration/test_bulk_lane.py checks that
# every rule's queue but the bulk one is here or is LIVE_QUEUE).
WORKERS: dict[str, Callable[[], Worker]] = {
    NOTIFY_QUEUE.name: notify.worker,
    EMAIL_QUEUE.name: email.worker,
    WEBHOOK_QUEUE.name: webhooks.fan_out_worker,
    AUDIT_QUEUE.name: audit.worker,
    WAITLIST_QUEUE.name: waitlist_worker.worker,
    ANALYTICS_QUEUE.name: analytics.worker,
}


# Handlers that take the envelope's events of their kind at once and stay idempotent per event
# id: analytics counts up to ~30 events per transaction (markers + merged counters); notify
# looks each user and resource up once and stores up to 50 notifications of a user per
# transaction (ids derived from the event ids, put with attribute_not_exists); webhooks read
# each event name's subscriptions once (delivery ids derive from event and webhook ids);
# email claims each (event, recipient) send in one transaction per envelope instead of a
# Powertools record per event (store/pipeline/email_claims.py: same at-most-once semantics);
# audit writes as many entries per transaction as fit with their merged statistics counters.
# The same functions serve their own queues' batches (workers/batch.py, `Worker.many`).
BATCH_HANDLERS: dict[str, Callable[[list[DomainEvent]], None]] = {
    ANALYTICS_QUEUE.name: analytics.handle_many,
    NOTIFY_QUEUE.name: notify.handle_many,
    WEBHOOK_QUEUE.name: webhooks.fan_out_many,
    EMAIL_QUEUE.name: email.handle_many,
    AUDIT_QUEUE.name: audit.handle_many,
}


class EnvelopeFailed(Exception):
    """Some handler failed for some event of the envelope: the envelope is retried."""


def routes(event_name: str) -> list[str]:
    """The queues whose rules would route this event, were it published on its own."""
    return [
        rule.queue
        for rule in TOPOLOGY.rules
        if rule.queue != BULK_QUEUE.name
        and (not rule.event_names or event_name in rule.event_names)
    ]


def handle_envelope(payload: dict[str, Any], context: Any = None) -> int:
    """Run every event of the envelope through its handlers; returns how many events."""
    events = lanes.unpack(payload)
    workers: dict[str, Worker] = {}
    live: list[DomainEvent] = []
    failed: list[dict[str, str]] = []
    batched: dict[str, list[DomainEvent]] = {}
    for event in events:
        for queue in routes(event.name):
            if queue == LIVE_QUEUE.name:
                live.append(event)
                continue
            if queue in BATCH_HANDLERS:
                batched.setdefault(queue, []).append(event)
                continue
            if queue not in workers:
                workers[queue] = WORKERS[queue]()
                workers[queue].bind_context(context)
            try:
                run = (
                    workers[queue].handle if queue in SELF_IDEMPOTENT else workers[queue].apply_once
                )
                run(event.to_dict())
            except Exception:
                logger.exception(
                    "bulk event failed", extra={"worker": queue, "event_id": event.event_id}
                )
                failed.append({"worker": queue, "event_id": event.event_id})
    for queue, group in batched.items():
        try:
            BATCH_HANDLERS[queue](group)
        except Exception:
            logger.exception("bulk batch failed", extra={"worker": queue, "events": len(group)})
            failed.append({"worker": queue, "event_id": f"{len(group)} event(s)"})
    if live:
        wiring.live_fanout().deliver(live)
    if failed:
        raise EnvelopeFailed(f"{len(failed)} handler run(s) failed: {failed[:5]}")
    return len(events)


def _record(record: SQSRecord, context: Any) -> None:
    try:
        payload = payload_of(record.body)
        observe_record(BULK_QUEUE.name, record.raw_event, payload)
        count = handle_envelope(payload, context)
        logger.info("bulk envelope handled", extra={"events": count})
    finally:
        correlate(None)


@bp.on_sqs_message(queue=BULK_QUEUE.name, batch_size=BULK_QUEUE.batch_size, name=BULK_QUEUE.handler)
def bulk_worker(event: SQSEvent) -> dict[str, Any]:
    # Loaded on the first message, not at import: the API function's cold start skips it.
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(event_type=EventType.SQS)
    response = process_partial_response(
        event=event.to_dict(),
        record_handler=lambda record: _record(record, event.context),
        processor=processor,
    )
    return dict(response)
