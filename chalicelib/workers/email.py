"""Email worker: bus events -> SES messages (confirmation with .ics, cancellation, reminder)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, SQSEvent

from chalicelib import wiring
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.topology import EMAIL_QUEUE
from chalicelib.workers.batch import Worker, event_handler

bp = Blueprint(__name__)


def handle(event: DomainEvent) -> None:
    wiring.email().deliver(event)


def handle_many(events: list[DomainEvent]) -> None:
    wiring.email().deliver_many(events)


def worker() -> Worker:
    # batch.SELF_IDEMPOTENT: no Powertools record; a batch goes to `handle_many` at once.
    return Worker(EMAIL_QUEUE.name, event_handler(handle), None, many=handle_many)


@bp.on_sqs_message(
    queue=EMAIL_QUEUE.name, batch_size=EMAIL_QUEUE.batch_size, name=EMAIL_QUEUE.handler
)
def email_worker(event: SQSEvent) -> dict[str, Any]:
    return worker()(event.to_dict(), event.context)
