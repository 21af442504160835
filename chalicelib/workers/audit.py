"""Audit worker: `audit.change` events -> append-only audit entries (once per change)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, SQSEvent

from chalicelib import wiring
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.topology import AUDIT_QUEUE
from chalicelib.workers.batch import Worker, event_handler

bp = Blueprint(__name__)


def handle(event: DomainEvent) -> None:
    wiring.audit().record(event)


def handle_many(events: list[DomainEvent]) -> None:
    wiring.audit().record_many(events)


def worker() -> Worker:
    # batch.SELF_IDEMPOTENT: no Powertools record; a batch goes to `handle_many` at once.
    return Worker(AUDIT_QUEUE.name, event_handler(handle), None, many=handle_many)


@bp.on_sqs_message(
    queue=AUDIT_QUEUE.name, batch_size=AUDIT_QUEUE.batch_size, name=AUDIT_QUEUE.handler
)
def audit_worker(event: SQSEvent) -> dict[str, Any]:
    return worker()(event.to_dict(), event.context)
