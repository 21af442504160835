"""An in-memory stand-in for the WebSocket management API (the sender's `WebsocketPort`)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from chalice.app import WebsocketDisconnectedError


class FakeWebsocketAPI:
    """Records what was sent; connections listed in `gone` answer like a 410 GoneException."""

    def __init__(self) -> None:
        self.sent: dict[str, list[str]] = defaultdict(list)
        self.gone: set[str] = set()
        self.broken: set[str] = set()  # answer any other error (a 500, a timeout)
        self.closed: list[str] = []

    def send(self, connection_id: str, message: str) -> None:
        if connection_id in self.gone:
            raise WebsocketDisconnectedError(connection_id)
        if connection_id in self.broken:
            raise ConnectionError(f"{connection_id}: the management API failed")
        self.sent[connection_id].append(message)

    def close(self, connection_id: str) -> None:
        if connection_id in self.gone:
            raise WebsocketDisconnectedError(connection_id)
        self.closed.append(connection_id)
        self.gone.add(connection_id)  # like API Gateway: a closed socket answers 410

    def replies(self, connection_id: str) -> list[Any]:
        return [json.loads(message) for message in self.sent[connection_id]]

    def last(self, connection_id: str) -> Any:
        return self.replies(connection_id)[-1]
