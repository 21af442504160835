"""`$connect`: record the connection, unauthenticated (the first message authenticates it)."""

from __future__ import annotations

from chalice.app import WebsocketEvent

from chalicelib import wiring
from chalicelib.ws.protocol import source_ip


def handle(event: WebsocketEvent) -> None:
    wiring.connections().open(event.connection_id, source_ip(event), wiring.clock().now())
