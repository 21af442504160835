"""Webhook workers: fan-out (bus events -> one delivery per subscription) and delivery (one
signed POST attempt per message; retries are new, delayed messages)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, SQSEvent

from chalicelib import wiring
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.pipeline.metrics import WEBHOOK_DELIVERIES, Sample
from chalicelib.topology import WEBHOOK_DELIVERY_QUEUE, WEBHOOK_QUEUE
from chalicelib.workers.batch import Worker, event_handler

bp = Blueprint(__name__)


def fan_out(event: DomainEvent) -> None:
    wiring.dispatcher().fan_out(event)


def attempt(payload: dict[str, Any]) -> None:
    # Imported here: it loads the webhook stores and HTTP sender, which app.py (registering
    # this worker) must not load on the API handler's cold start (issue 15).
    from chalicelib.services.pipeline.webhook_dispatch import DeliveryTask

    task = DeliveryTask.parse(payload)
    delivery = wiring.dispatcher().attempt(task)
    # observability (issue 15): one count per attempt (its own idempotency key), by outcome
    outcome = "skipped" if delivery is None else str(delivery.status.value)
    wiring.metrics_recorder().once(
        Sample(WEBHOOK_DELIVERIES, dimension=outcome),
        f"{task.delivery_id}/{task.attempt}",
        wiring.clock().now(),
    )


def fan_out_many(events: list[DomainEvent]) -> None:
    wiring.dispatcher().fan_out_many(events)


def fan_out_worker() -> Worker:
    # Self-idempotent (delivery ids derive from event and webhook ids); batches at once.
    return Worker(WEBHOOK_QUEUE.name, event_handler(fan_out), None, many=fan_out_many)


def delivery_worker() -> Worker:
    return Worker(
        WEBHOOK_DELIVERY_QUEUE.name,
        attempt,
        wiring.persistence("webhook-deliveries"),
        key_jmespath="[webhook_id, delivery_id, attempt]",
    )


@bp.on_sqs_message(
    queue=WEBHOOK_QUEUE.name, batch_size=WEBHOOK_QUEUE.batch_size, name=WEBHOOK_QUEUE.handler
)
def webhook_fanout_worker(event: SQSEvent) -> dict[str, Any]:
    return fan_out_worker()(event.to_dict(), event.context)


@bp.on_sqs_message(
    queue=WEBHOOK_DELIVERY_QUEUE.name,
    batch_size=WEBHOOK_DELIVERY_QUEUE.batch_size,
    name=WEBHOOK_DELIVERY_QUEUE.handler,
)
def webhook_delivery_worker(event: SQSEvent) -> dict[str, Any]:
    return delivery_worker()(event.to_dict(), event.context)
