"""Which AWS actions each function needs: one role per function, nothing shared.

The table is written from what each handler's code path calls (wiring and integrations):
every function reads and writes the two tables except the stream relay, which only reads
the stream and publishes to the bus. Queue workers consume only their own queue (granted
with the event source mapping); sending is granted per queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.topology import (
    EMAIL_QUEUE,
    NOTIFY_QUEUE,
    STREAM_HANDLER,
    TOPOLOGY,
    WEBHOOK_DELIVERY_QUEUE,
    WEBHOOK_QUEUE,
    QueueDef,
)

# Chalice's names for the functions it creates for the REST and WebSocket APIs.
API_HANDLER = "api_handler"
WS_HANDLERS = ("websocket_connect", "websocket_message", "websocket_disconnect")


class Grant(Enum):
    TABLES = "read and write both tables"
    STREAM = "read the main table's stream"
    BUS = "put events on the bus"
    WEBSOCKET = "post to / delete WebSocket connections"
    EMAIL = "send email from the sender identity"
    DEAD_LETTERS = "peek, redrive and purge every DLQ (admin operations)"
    XRAY = "write X-Ray traces"


@dataclass(frozen=True)
class Needs:
    grants: frozenset[Grant]
    sends_to: tuple[str, ...] = ()  # queue names
    consumes: str = ""  # its event source queue


def _needs(*grants: Grant, sends_to: tuple[str, ...] = (), consumes: str = "") -> Needs:
    return Needs(frozenset({*grants, Grant.XRAY}), sends_to, consumes)


_DELIVERIES = (WEBHOOK_DELIVERY_QUEUE.name,)
_ALL_QUEUES = tuple(q.name for q in TOPOLOGY.queues)
# Beyond the tables, what particular workers and jobs need (every other queue worker and job
# gets the tables only; a worker also consumes its own queue).
_WORKER_EXTRAS: dict[str, tuple[tuple[Grant, ...], tuple[str, ...]]] = {
    NOTIFY_QUEUE.handler: ((Grant.WEBSOCKET,), ()),
    EMAIL_QUEUE.handler: ((Grant.EMAIL,), ()),
    WEBHOOK_QUEUE.handler: ((), _DELIVERIES),
    WEBHOOK_DELIVERY_QUEUE.handler: ((), (*_DELIVERIES, WEBHOOK_DELIVERY_QUEUE.dlq_name)),
}
_JOB_SENDS = {"webhook-retry-sweep": _DELIVERIES}


def _worker(queue: QueueDef) -> Needs:
    grants, sends_to = _WORKER_EXTRAS.get(queue.handler, ((), ()))
    return _needs(Grant.TABLES, *grants, sends_to=sends_to, consumes=queue.name)


FUNCTION_NEEDS: dict[str, Needs] = {
    # Routes + admin operations (DLQ redrive sends back to any source queue, webhook tests).
    API_HANDLER: _needs(Grant.TABLES, Grant.WEBSOCKET, Grant.DEAD_LETTERS, sends_to=_ALL_QUEUES),
    **{name: _needs(Grant.TABLES, Grant.WEBSOCKET) for name in WS_HANDLERS},
    STREAM_HANDLER: _needs(Grant.STREAM, Grant.BUS),
    **{queue.handler: _worker(queue) for queue in TOPOLOGY.queues},
    **{
        job.handler: _needs(Grant.TABLES, sends_to=_JOB_SENDS.get(job.name, ()))
        for job in TOPOLOGY.schedules
    },
}
