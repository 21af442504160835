"""Small helpers for the e2e suite: polling, sample-app records, WebSocket round trips."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from websockets.sync.client import ClientConnection

T = TypeVar("T")
TABLE = "reserver-main"


def eventually(probe: Callable[[], T | None], timeout: float = 10.0, every: float = 0.1) -> T:
    """Poll until `probe` returns something truthy; fail with the timeout otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after {timeout} s")
        time.sleep(every)


def recorded(dynamodb: Any, kind: str, record_id: str) -> dict[str, Any] | None:
    """The payload a sample-app recorder wrote for (kind, id), or None."""
    item = dynamodb.get_item(
        TableName=TABLE,
        Key={"PK": {"S": f"E2E#{kind}"}, "SK": {"S": record_id}},
        ConsistentRead=True,
    ).get("Item")
    return json.loads(item["payload"]["S"]) if item else None


def records_of(dynamodb: Any, kind: str) -> list[dict[str, Any]]:
    items = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"E2E#{kind}"}},
        ConsistentRead=True,
    )["Items"]
    return [json.loads(item["payload"]["S"]) for item in items]


def connection_item(dynamodb: Any, connection_id: str) -> dict[str, Any] | None:
    key = {"S": f"CONN#{connection_id}"}
    item: dict[str, Any] | None = dynamodb.get_item(
        TableName=TABLE, Key={"PK": key, "SK": key}, ConsistentRead=True
    ).get("Item")
    return item


def ask(ws: ClientConnection, message: dict[str, Any] | str, timeout: float = 5.0) -> Any:
    """Send one message (dict as JSON, str as is) and return the decoded reply."""
    ws.send(message if isinstance(message, str) else json.dumps(message))
    return json.loads(ws.recv(timeout=timeout))


def connection_id_of(ws: ClientConnection) -> str:
    reply = ask(ws, {"action": "ping"})
    assert reply["type"] == "pong"
    return str(reply["connection_id"])
