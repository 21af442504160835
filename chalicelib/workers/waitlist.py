"""Waitlist worker: events that may free a window (topology.WAITLIST_TRIGGERS) -> offers.

Idempotent twice over: the Worker runs each event id once (Powertools idempotency), and an
offer is a conditional write on the entry's version, so a redelivered or concurrent event
never makes a second offer.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, SQSEvent

from chalicelib import wiring
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.waitlist.triggers import freed_by
from chalicelib.topology import WAITLIST_QUEUE
from chalicelib.workers.batch import Worker, event_handler

bp = Blueprint(__name__)


def handle(event: DomainEvent) -> None:
    freed = freed_by(event)
    if freed is not None:
        wiring.waitlist_offers().offer_freed(freed)


def worker() -> Worker:
    return Worker(WAITLIST_QUEUE.name, event_handler(handle), wiring.persistence("waitlist"))


@bp.on_sqs_message(
    queue=WAITLIST_QUEUE.name, batch_size=WAITLIST_QUEUE.batch_size, name=WAITLIST_QUEUE.handler
)
def waitlist_worker(event: SQSEvent) -> dict[str, Any]:
    return worker()(event.to_dict(), event.context)
