"""Drive the app's WebSocket handlers in process: API-Gateway-shaped events for one
connection id, replies read from a fake management API (the real one is in tests/e2e)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.fakes.websocket import FakeWebsocketAPI


def ws_event(route_key: str, connection_id: str, body: str | None = None) -> dict[str, Any]:
    kinds = {"$connect": "CONNECT", "$default": "MESSAGE", "$disconnect": "DISCONNECT"}
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route_key,
            "eventType": kinds[route_key],
            "connectionId": connection_id,
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "stage": "api",
            "apiId": "abc123",
            "identity": {"sourceIp": "203.0.113.7"},
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body
    return event


class WsClient:
    """Drives the app's three websocket handlers for one connection id."""

    def __init__(self, api: FakeWebsocketAPI, connection_id: str | None = None) -> None:
        from app import app

        self.app, self.api = app, api
        self.connection_id = connection_id or f"c{uuid.uuid4().hex[:12]}"

    def connect(self) -> WsClient:
        self.app.handler_map["ws_connect"](ws_event("$connect", self.connection_id), None)
        return self

    def say(self, body: str | dict[str, Any]) -> Any:
        text = body if isinstance(body, str) else json.dumps(body)
        self.app.handler_map["ws_message"](ws_event("$default", self.connection_id, text), None)
        return self.api.last(self.connection_id)

    def sign_in(self, token: str, *resource_ids: str) -> WsClient:
        reply = self.say({"action": "auth", "token": token})
        assert reply["type"] == "authenticated", reply
        for resource_id in resource_ids:
            assert self.say({"action": "subscribe", "resource_id": resource_id})["type"] == (
                "subscribed"
            )
        return self

    def disconnect(self) -> None:
        self.app.handler_map["ws_disconnect"](ws_event("$disconnect", self.connection_id), None)

    def live_entries(self) -> list[dict[str, Any]]:
        """Every entry of every live message this connection received, in order."""
        return [
            entry
            for message in self.api.replies(self.connection_id)
            if message.get("type") == "live"
            for entry in message["events"]
        ]

    def messages(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.api.replies(self.connection_id) if m.get("type") == kind]
