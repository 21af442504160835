"""The messages a WebSocket client may send, and the replies it gets.

Authentication happens in the first message (`{"action": "auth", "token": ...}`), never in
the URL: the old product put the JWT in the query string, where access logs kept it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from chalicelib.api.schemas.common import Strict

ResourceId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class AuthAction(Strict):
    action: Literal["auth"]
    token: str = Field(min_length=1, max_length=4096)


class PingAction(Strict):
    action: Literal["ping"]


class SubscribeAction(Strict):
    action: Literal["subscribe"]
    resource_id: ResourceId


class UnsubscribeAction(Strict):
    action: Literal["unsubscribe"]
    resource_id: ResourceId


ClientMessage = Annotated[
    AuthAction | PingAction | SubscribeAction | UnsubscribeAction, Field(discriminator="action")
]
ACTIONS = ("auth", "ping", "subscribe", "unsubscribe")


@cache
def _adapter() -> TypeAdapter[ClientMessage]:
    """Built on the first message, not when app.py imports the handlers (issue 15)."""
    return TypeAdapter(ClientMessage)


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def parse(body: str) -> ClientMessage:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: '[' * 100000
        raise ProtocolError("malformed_json", "the message is not valid JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        raise ProtocolError("invalid_message", 'a message is a JSON object with an "action"')
    if data["action"] not in ACTIONS:
        raise ProtocolError(
            "unknown_action", f"unknown action {data['action'][:40]!r}", {"actions": ACTIONS}
        )
    try:
        return _adapter().validate_python(data)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise ProtocolError("validation_error", "the message is not valid", details) from exc


def error(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "details": details}


def source_ip(event: Any) -> str:
    """The caller's IP from a websocket event (`chalice.app.WebsocketEvent`)."""
    context = event.to_dict().get("requestContext") or {}
    return str((context.get("identity") or {}).get("sourceIp") or "")
