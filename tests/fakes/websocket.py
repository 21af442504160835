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

    def send(self, connection_id: str, message: str) -> None:
        if connection_id in self.gone:
            raise WebsocketDisconnectedError(connection_id)
        self.sent[connection_id].append(message)

    def replies(self, connection_id: str) -> list[Any]:
        return [json.loads(message) for message in self.sent[connection_id]]

    def last(self, connection_id: str) -> Any:
        return self.replies(connection_id)[-1]
