"""Analytics worker: `analytics.reservation_changed` events -> the booked-versus-used
counters, each event counted once (a marker item in the counters' own transaction)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, SQSEvent

from chalicelib import wiring
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.topology import ANALYTICS_QUEUE
from chalicelib.workers.batch import Worker, event_handler

bp = Blueprint(__name__)


def handle(event: DomainEvent) -> None:
    wiring.analytics_recorder().record(event)


def handle_many(events: list[DomainEvent]) -> None:
    wiring.analytics_recorder().record_many(events)


def worker() -> Worker:
    # batch.SELF_IDEMPOTENT: no Powertools record; a batch goes to `handle_many` at once.
    return Worker(ANALYTICS_QUEUE.name, event_handler(handle), None, many=handle_many)


@bp.on_sqs_message(
    queue=ANALYTICS_QUEUE.name, batch_size=ANALYTICS_QUEUE.batch_size, name=ANALYTICS_QUEUE.handler
)
def analytics_worker(event: SQSEvent) -> dict[str, Any]:
    return worker()(event.to_dict(), event.context)
