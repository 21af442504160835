"""The one way an SQS worker runs: each record on its own (or, for the self-idempotent
workers, a batch at once: "Together" below), partial failures reported, and the record's
effect applied at most once per idempotency key (STYLE rule 10, anchor PT).

- `BatchProcessor` + `process_partial_response`: a failing record does not fail its batch
  mates; when every record of a batch fails (always the case with batch_size=1) Powertools
  raises, so Lambda (or the local pump) retries the batch and, after `max_receive_count`
  receives, SQS moves the message to the queue's DLQ.
- `idempotent_function` on the `reserver-idempotency` table, keyed on the event id (or on the
  message's own key for non-bus queues): a redelivered message finds the completed record and
  has no second effect. A record whose handler raised is released, so the retry runs again.
- Together (issue 16): a worker given `many` (only the self-idempotent ones) hands a batch of
  well-formed records to it at once: one user/resource lookup, one transaction of merged
  counters for the batch instead of one per event. If `many` raises, or a record is malformed,
  the batch is handled record by record as above; re-running what `many` already did changes
  nothing (SELF_IDEMPOTENT). The queues of these workers take up to 10 records and report
  partial failures (`QueueDef.reports_partial_failures`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.domain.pipeline.events import DomainEvent, MalformedEvent
from chalicelib.observability import correlate, logger
from chalicelib.topology import (
    ANALYTICS_QUEUE,
    AUDIT_QUEUE,
    EMAIL_QUEUE,
    NOTIFY_QUEUE,
    WEBHOOK_QUEUE,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.idempotency.persistence.base import (
        BasePersistenceLayer,
    )

# Long enough to cover SQS/EventBridge redeliveries and an admin's DLQ redrive the next days.
IDEMPOTENCY_TTL_S = 3 * 24 * 3600


def payload_of(body: str) -> dict[str, Any]:
    """The message payload: an EventBridge event's `detail`, or the body itself."""
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise MalformedEvent("the message body is not JSON") from exc
    if not isinstance(parsed, dict):
        raise MalformedEvent("the message body is not a JSON object")
    if "detail-type" in parsed and isinstance(parsed.get("detail"), dict):
        return dict(parsed["detail"])
    return parsed


@dataclass
class Worker:
    """Runs `handle(payload)` once per idempotency key found at `key_jmespath` in the payload.

    `persistence=None` (issue 16): the handler makes its effect at most once per event id by
    itself (SELF_IDEMPOTENT below), so it runs without the Powertools record, two writes per
    event saved; a redelivery re-runs it and changes nothing."""

    name: str
    handle: Callable[[dict[str, Any]], None]
    persistence: BasePersistenceLayer | None
    key_jmespath: str = "metadata.event_id"
    many: Callable[[list[DomainEvent]], object] | None = None

    def __post_init__(self) -> None:
        if self.many is not None and self.persistence is not None:
            # A batch re-run after a partial failure must change nothing: self-idempotent only.
            raise ValueError(f"{self.name}: `many` needs a self-idempotent handler")
        if self.persistence is None:
            self._config: Any = None
            self._once: Callable[..., object] = self._apply
            return
        # Imported here, not at module level: app.py registers every worker, and the API
        # handler's cold start must not pay for Powertools' batch/idempotency machinery.
        from aws_lambda_powertools.utilities.idempotency import (
            IdempotencyConfig,
            idempotent_function,
        )

        self._config = IdempotencyConfig(
            event_key_jmespath=self.key_jmespath,
            raise_on_no_idempotency_key=True,
            expires_after_seconds=IDEMPOTENCY_TTL_S,
        )
        self._once = idempotent_function(
            self._apply,
            data_keyword_argument="payload",
            persistence_store=self.persistence,
            config=self._config,
            key_prefix=self.name,
        )

    def _apply(self, payload: dict[str, Any]) -> dict[str, bool]:
        self.handle(payload)
        return {"done": True}

    def record(self, record: SQSRecord) -> None:
        try:
            payload = payload_of(record.body)
            observe_record(self.name, record.raw_event, payload)
            self._once(payload=payload)
        except MalformedEvent as exc:
            logger.warning(
                "poison message",
                extra={"worker": self.name, "message_id": record.message_id, "reason": str(exc)},
            )
            raise
        except Exception:
            logger.exception(
                "record failed", extra={"worker": self.name, "message_id": record.message_id}
            )
            raise
        finally:
            correlate(None)

    def apply_once(self, payload: dict[str, Any]) -> None:
        """Handle one payload unless its key was handled before (the bulk lane's entry:
        workers/bulk.py, issue 16); raises what the handler raised."""
        self._once(payload=payload)

    def bind_context(self, context: Any) -> None:
        if self._config is None:
            return
        if context is not None and hasattr(context, "get_remaining_time_in_millis"):
            # In-progress records then expire with the invocation instead of blocking retries.
            self._config.register_lambda_context(context)

    def together(self, records: list[dict[str, Any]]) -> bool:
        """Handle the records' events at once through `many`; False (nothing reported, the
        caller goes record by record) when a record is malformed or `many` raised."""
        if self.many is None:
            return False
        try:
            payloads = [payload_of(str(record.get("body", ""))) for record in records]
            events = [DomainEvent.from_dict(payload) for payload in payloads]
        except MalformedEvent:
            return False
        for record, payload in zip(records, payloads, strict=True):
            observe_record(self.name, record, payload)
        correlate(None)
        try:
            self.many(events)
        except Exception:
            logger.exception(
                "batch failed, retried record by record",
                extra={"worker": self.name, "records": len(records)},
            )
            return False
        return True

    def __call__(self, raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        self.bind_context(context)
        records = list(raw_event.get("Records") or [])
        if len(records) > 1 and self.together(records):
            return {"batchItemFailures": []}
        from aws_lambda_powertools.utilities.batch import (
            BatchProcessor,
            EventType,
            process_partial_response,
        )

        processor = BatchProcessor(event_type=EventType.SQS)
        response = process_partial_response(
            event=raw_event, record_handler=self.record, processor=processor
        )
        return dict(response)


# The workers whose effect is at most once per event id by construction: notification, audit
# entry and webhook delivery ids derive from the event id and are put with
# `attribute_not_exists`; analytics puts its marker in its counters' transaction; email claims
# each (event, recipient) send before sending it (store/pipeline/email_claims.py), and only
# when there is a mail to send. They run without a Powertools record in both lanes (here and
# workers/bulk.py). The waitlist (a re-run after a declined offer could move the window on)
# keeps its record.
SELF_IDEMPOTENT = frozenset(
    {
        NOTIFY_QUEUE.name,
        WEBHOOK_QUEUE.name,
        AUDIT_QUEUE.name,
        ANALYTICS_QUEUE.name,
        EMAIL_QUEUE.name,
    }
)


def event_handler(handle: Callable[[DomainEvent], None]) -> Callable[[dict[str, Any]], None]:
    """Adapt a handler of domain events to the payload-level `Worker.handle`."""

    def run(payload: dict[str, Any]) -> None:
        handle(DomainEvent.from_dict(payload))

    return run


def observe_record(worker: str, record: dict[str, Any], payload: dict[str, Any]) -> None:
    """Before a record is handled: its log lines get the envelope's correlation id, and the
    time it waited in the queue is measured (EMF `QueueLag`, docs/observability.md)."""
    metadata = payload.get("metadata")
    meta: dict[str, Any] = metadata if isinstance(metadata, dict) else {}
    correlate(str(meta.get("correlation_id") or "") or None)
    sent = str((record.get("attributes") or {}).get("SentTimestamp") or "")
    lag = wiring.metrics_recorder().queue_lag(worker, int(sent)) if sent.isdigit() else None
    logger.info(
        "record received",
        extra={
            "worker": worker,
            "message_id": record.get("messageId"),
            "event_name": meta.get("event_name"),
            "event_id": meta.get("event_id"),
            "queue_lag_ms": lag,
        },
    )
