"""Live worker: a batch of bus events -> coalesced WebSocket pushes (services/pipeline/live.py).

It handles its batch as a whole, because coalescing is the point: the events of one batch
reach each socket as one message (the self-idempotent workers batch to write less:
workers/batch.py). Its queue takes up to 10 records
(`LIVE_QUEUE`, which reports partial failures: the deployment attaches it with
ReportBatchItemFailures, the local pump honours them):
- a malformed record is reported failed on its own (SQS moves it to the DLQ in the end);
- a failure of the fan-out itself (DynamoDB unreachable) raises, so the whole batch comes
  back. Pushes already made are then made again: a live message is a hint to refresh, each
  entry carries its source `event_id`, and clients drop repeats (docs/events.md). No
  idempotency record per event: it would cost a write per event on the hot path of a push.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, SQSEvent

from chalicelib import wiring
from chalicelib.domain.pipeline.events import DomainEvent, MalformedEvent
from chalicelib.observability import correlate, logger
from chalicelib.topology import LIVE_QUEUE
from chalicelib.workers.batch import observe_record, payload_of

bp = Blueprint(__name__)


class BatchFailed(Exception):
    """Every record of the batch failed: raise so that the whole batch is retried."""


def handle_batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    events: list[DomainEvent] = []
    failures: list[dict[str, str]] = []
    for record in records:
        try:
            payload = payload_of(str(record.get("body", "")))
            observe_record(LIVE_QUEUE.name, record, payload)
            events.append(DomainEvent.from_dict(payload))
        except MalformedEvent as exc:
            logger.warning(
                "poison message",
                extra={
                    "worker": LIVE_QUEUE.name,
                    "message_id": record.get("messageId"),
                    "reason": str(exc),
                },
            )
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
    if records and len(failures) == len(records):
        raise BatchFailed(f"all {len(records)} record(s) of the batch failed")
    if events:
        report = wiring.live_fanout().deliver(events)
        logger.info(
            "live pushes sent",
            extra={
                "correlation_ids": sorted({e.metadata.correlation_id for e in events}),
                "event_ids": [e.event_id for e in events],
                "messages": report.messages,
                "connections": report.connections,
            },
        )
    correlate(None)
    return {"batchItemFailures": failures}


@bp.on_sqs_message(queue=LIVE_QUEUE.name, batch_size=LIVE_QUEUE.batch_size, name=LIVE_QUEUE.handler)
def live_worker(event: SQSEvent) -> dict[str, Any]:
    return handle_batch(list(event.to_dict().get("Records", [])))
