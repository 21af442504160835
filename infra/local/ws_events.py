"""API-Gateway-WebSocket-shaped events for the app's `$connect` / `$default` / `$disconnect`."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from chalice.app import Chalice

from infra.local.appload import lambda_context

API_ID = "local"


@dataclass
class WsClient:
    """What the gateway knows about one connection (what GetConnection reports)."""

    connection_id: str
    source_ip: str
    user_agent: str
    path: str
    headers: dict[str, str]
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)

    def info(self) -> dict[str, Any]:
        return {
            "connectedAt": _iso(self.connected_at),
            "lastActiveAt": _iso(self.last_active_at),
            "identity": {"sourceIp": self.source_ip, "userAgent": self.user_agent},
        }


def _iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


@dataclass(frozen=True)
class EventFactory:
    stage: str
    domain_name: str

    def _request_context(self, client: WsClient, route_key: str, event_type: str) -> dict[str, Any]:
        now = time.time()
        return {
            "routeKey": route_key,
            "eventType": event_type,
            "messageDirection": "IN",
            "stage": self.stage,
            "domainName": self.domain_name,
            "apiId": API_ID,
            "connectionId": client.connection_id,
            "connectedAt": int(client.connected_at * 1000),
            "requestId": uuid.uuid4().hex,
            "extendedRequestId": uuid.uuid4().hex,
            "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now * 1000),
            "identity": {"sourceIp": client.source_ip, "userAgent": client.user_agent},
        }

    def connect(self, client: WsClient) -> dict[str, Any]:
        query = parse_qs(urlsplit(client.path).query, keep_blank_values=True)
        return {
            "requestContext": self._request_context(client, "$connect", "CONNECT"),
            "headers": dict(client.headers),
            "multiValueHeaders": {k: [v] for k, v in client.headers.items()},
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "isBase64Encoded": False,
        }

    def message(self, client: WsClient, data: str | bytes) -> dict[str, Any]:
        context = self._request_context(client, "$default", "MESSAGE")
        context["messageId"] = uuid.uuid4().hex[:16]
        if isinstance(data, bytes):
            body, encoded = base64.b64encode(data).decode("ascii"), True
        else:
            body, encoded = data, False
        return {"requestContext": context, "body": body, "isBase64Encoded": encoded}

    def disconnect(self, client: WsClient, status: int, reason: str) -> dict[str, Any]:
        context = self._request_context(client, "$disconnect", "DISCONNECT")
        context["disconnectStatusCode"] = status
        context["disconnectReason"] = reason
        return {
            "requestContext": context,
            "headers": dict(client.headers),
            "multiValueHeaders": {k: [v] for k, v in client.headers.items()},
            "isBase64Encoded": False,
        }


def invoke(app: Chalice, route_key: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run the app's handler for `route_key` like Lambda would; no handler = a 200."""
    config = app.websocket_handlers.get(route_key)
    if config is None:
        return {"statusCode": 200}
    handler = app.handler_map[config.name]
    result = handler(event, lambda_context(config.name))
    return result if isinstance(result, dict) else {"statusCode": 200}
