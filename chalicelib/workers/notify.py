"""Notify worker: bus events -> one in-app notification per affected user (+ WebSocket push)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, SQSEvent

from chalicelib import wiring
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.topology import NOTIFY_QUEUE
from chalicelib.workers.batch import Worker, event_handler

bp = Blueprint(__name__)


def handle(event: DomainEvent) -> None:
    wiring.notifications().deliver(event)


def worker() -> Worker:
    return Worker(NOTIFY_QUEUE.name, event_handler(handle), None)  # batch.SELF_IDEMPOTENT


@bp.on_sqs_message(
    queue=NOTIFY_QUEUE.name, batch_size=NOTIFY_QUEUE.batch_size, name=NOTIFY_QUEUE.handler
)
def notify_worker(event: SQSEvent) -> dict[str, Any]:
    return worker()(event.to_dict(), event.context)
