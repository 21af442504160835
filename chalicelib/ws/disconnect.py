"""`$disconnect`: forget the connection and its subscriptions."""

from __future__ import annotations

from chalice.app import WebsocketEvent

from chalicelib import wiring


def handle(event: WebsocketEvent) -> None:
    wiring.connections().close(event.connection_id)
