"""Live updates on the running local stack, with the `websockets` client: the REST API, the
WebSocket stand-in, the event pump and the live worker in their own processes.

Each user's connections get exactly that user's events; a subscriber gets slot changes with
times only; a socket that went away is cleaned up; a logout closes the sockets of its token
(issue 9, finding 6); and two more app processes (a second API, a one-shot function
instance) reach the same client, since connections live in DynamoDB only.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from infra.local.config import child_env
from infra.local.procs import Child, spawn, stop_children
from infra.local.stack import RunningStack
from tests.e2e.browser import USER_PASSWORD, ApiClient, create_room, unique
from tests.e2e.conftest import SAMPLE_APP, free_port
from tests.e2e.helpers import TABLE, ask, connection_id_of, connection_item, eventually

pytestmark = pytest.mark.e2e
TIMES_ONLY = {"event", "event_id", "occurred_at", "resource_id", "start_time", "end_time"}


@pytest.fixture
def room(api: ApiClient, admin_api_token: str) -> str:
    """A room of each test's own: events of one test never reach another's sockets."""
    return str(create_room(api, admin_api_token)["resource_id"])


def member(api: ApiClient) -> tuple[str, str]:
    """A new user: (access token, user id)."""
    username = unique("live")
    api.register(username)
    token = api.login(username, USER_PASSWORD)
    return token, str(api.call("GET", "/api/v1/users/me", token)["id"])


@contextmanager
def signed_in(stack: RunningStack, token: str, *rooms: str) -> Iterator[ClientConnection]:
    with connect(stack.urls["ws"]) as ws:
        assert ask(ws, {"action": "auth", "token": token})["type"] == "authenticated"
        for room_id in rooms:
            reply = ask(ws, {"action": "subscribe", "resource_id": room_id})
            assert reply["type"] == "subscribed"
        yield ws


def tomorrow(hour: int, days: int = 1) -> str:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def book(api: ApiClient, token: str, room_id: str, hour: int, days: int = 1, **extra: Any) -> str:
    body = {
        "resource_id": room_id,
        "start_time": tomorrow(hour, days),
        "end_time": tomorrow(hour + 1, days),
        **extra,
    }
    return str(api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"])


def read_until(
    ws: ClientConnection, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 15.0
) -> list[dict[str, Any]]:
    """Messages received until `done(messages)` holds, then 0.5 s more (so extras show)."""
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    settle_until: float | None = None
    while True:
        now = time.monotonic()
        if settle_until is None and done(messages):
            settle_until = now + 0.5
        end = settle_until if settle_until is not None else deadline
        if now >= end:
            break
        try:
            messages.append(json.loads(ws.recv(timeout=end - now)))
        except TimeoutError:
            continue
    assert done(messages), f"after {timeout} s: {messages}"
    return messages


def live_entries(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for m in messages if m.get("type") == "live" for e in m["events"]]


def has(kind: str, count: int = 1) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda messages: [e["event"] for e in live_entries(messages)].count(kind) >= count


def test_two_users_with_two_connections_each_get_exactly_their_events(
    stack: RunningStack, api: ApiClient, room: str
) -> None:
    (ada, _), (bea, _) = member(api), member(api)
    with ExitStack() as opened:
        sockets = {
            name: [opened.enter_context(signed_in(stack, token)) for _ in range(2)]
            for name, token in (("ada", ada), ("bea", bea))
        }
        mine = {"ada": book(api, ada, room, 9), "bea": book(api, bea, room, 11)}

        def own_event_and_notice(messages: list[dict[str, Any]]) -> bool:
            notes = [m for m in messages if m.get("type") == "notification"]
            return has("reservation.created")(messages) and bool(notes)

        for name, connections in sockets.items():
            for ws in connections:
                messages = read_until(ws, own_event_and_notice)
                [entry] = live_entries(messages)
                assert entry["reservation_id"] == mine[name]
                [note] = [m for m in messages if m["type"] == "notification"]
                assert note["notification"]["data"]["reservation_id"] == mine[name]


def test_a_subscriber_gets_slot_changes_without_private_details(
    stack: RunningStack, api: ApiClient, room: str
) -> None:
    (ada, ada_id), (cyd, _) = member(api), member(api)
    with signed_in(stack, cyd, room) as watcher:
        reservation_id = book(api, ada, room, 14, notes="Confidential offsite")
        api.call("POST", f"/api/v1/reservations/{reservation_id}/cancel", ada, json={})
        messages = read_until(watcher, lambda m: has("slot.freed")(m) and has("slot.taken")(m))
    entries = live_entries(messages)
    assert [e["event"] for e in entries] == ["slot.taken", "slot.freed"]
    assert all(set(e) == TIMES_ONLY for e in entries)
    assert entries[0]["start_time"].startswith(tomorrow(14)[:13])
    seen = json.dumps(messages)
    assert ada_id not in seen and reservation_id not in seen and "Confidential" not in seen


def test_a_bulk_booking_of_100_reaches_a_subscriber_in_a_few_messages(
    stack: RunningStack, api: ApiClient, room: str
) -> None:
    (ada, _), (cyd, _) = member(api), member(api)
    items = [
        {
            "resource_id": room,
            "start_time": tomorrow(n % 20, 3 + n // 20),
            "end_time": tomorrow(n % 20 + 1, 3 + n // 20),
        }
        for n in range(100)
    ]
    with signed_in(stack, cyd, room) as watcher:
        api.call("POST", "/api/v1/reservations/bulk", ada, json={"items": items})
        messages = read_until(watcher, has("slot.taken", 100), timeout=60)
    live = [m for m in messages if m["type"] == "live"]
    assert len(live_entries(live)) == 100
    # The pump hands the live worker up to 10 events at once: ~10 messages, never 100
    assert len(live) <= 20, len(live)


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def _plant_ghost(dynamodb: Any, ghost: str, user_id: str, token: str, room: str) -> None:
    """A signed-in, subscribed connection whose $disconnect never ran (the socket is gone)."""
    claims, key = _claims(token), f"CONN#{ghost}"
    far = {"N": str(int(time.time()) + 3600)}
    connection = {
        "PK": {"S": key},
        "SK": {"S": key},
        "GSI1PK": {"S": f"USER#{user_id}"},
        "GSI1SK": {"S": key},
        "type": {"S": "ws_connection"},
        "connection_id": {"S": ghost},
        "connected_at": {"S": datetime.now(UTC).isoformat().replace("+00:00", "Z")},
        "user_id": {"S": user_id},
        "token_id": {"S": claims["jti"]},
        "token_expires_at": {"N": str(claims["exp"])},
        "token_version": {"N": str(claims["tv"])},
        "roles": {"SS": claims["roles"]},
        "expires_at": far,
    }
    subscription = {
        "PK": {"S": key},
        "SK": {"S": f"SUB#{room}"},
        "GSI2PK": {"S": f"WSRES#{room}"},
        "GSI2SK": {"S": key},
        "type": {"S": "ws_subscription"},
        "connection_id": {"S": ghost},
        "resource_id": {"S": room},
        "user_id": {"S": user_id},
        "expires_at": far,
    }
    for item in (connection, subscription):
        dynamodb.put_item(TableName=TABLE, Item=item)


def test_a_closed_socket_is_cleaned_up(
    stack: RunningStack, api: ApiClient, room: str, dynamodb: Any
) -> None:
    (cyd, cyd_id), (ada, _) = member(api), member(api)
    # Given a socket closed by its client ($disconnect runs), and a ghost whose never ran
    with signed_in(stack, cyd, room) as closed:
        closed_id = connection_id_of(closed)
    ghost = f"ghost{uuid.uuid4().hex[:8]}"
    _plant_ghost(dynamodb, ghost, cyd_id, cyd, room)
    eventually(lambda: connection_item(dynamodb, closed_id) is None)
    # When the room changes while a live subscriber also watches
    with signed_in(stack, cyd, room) as live:
        book(api, ada, room, 16)
        read_until(live, has("slot.taken"))
    # Then the ghost answered 410 Gone to the push and was deleted, subscription and all
    eventually(lambda: connection_item(dynamodb, ghost) is None)
    left = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CONN#{ghost}"}},
    )["Items"]
    assert left == []


def test_logout_ends_the_sockets_of_that_token(stack: RunningStack, api: ApiClient) -> None:
    token, _ = member(api)
    with signed_in(stack, token) as ws:
        connection_id = connection_id_of(ws)
        api.call("POST", "/api/v1/logout", token, json={})
        farewell = json.loads(ws.recv(timeout=15))
        assert farewell == {"type": "session_ended", "v": 1, "reason": "token_revoked"}
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    assert connection_id


# --- two more app processes ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def second_api(stack: RunningStack) -> Iterator[str]:
    """A second REST API process on its own port, sharing DynamoDB Local and moto."""
    env = child_env(stack.config, java=stack.dynamodb_url != stack.aws_url)
    port = free_port()
    argv = [sys.executable, "-m", "infra.local.api_server", "--app", SAMPLE_APP]
    argv += ["--stage", stack.config.stage, "--port", str(port)]
    child: Child = spawn(
        "api-2", argv, env=env, cwd=stack.config.project_dir, log_dir=stack.config.log_dir
    )
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _healthy(url), timeout=30)
        yield url
    finally:
        stop_children([child])


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _invoke_live_worker(stack: RunningStack, envelope: dict[str, Any]) -> dict[str, Any]:
    """The live worker run once in a fresh process, like one more Lambda instance."""
    env = child_env(stack.config, java=stack.dynamodb_url != stack.aws_url)
    record = {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "handle",
        "body": json.dumps(envelope),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:reserver-live",
        "awsRegion": "us-east-1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.invoke_handler", SAMPLE_APP, "live_worker"],
        input=json.dumps({"Records": [record]}),
        capture_output=True,
        text=True,
        env=env,
        cwd=stack.config.project_dir,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _created_event(user_id: str, reservation_id: str) -> dict[str, Any]:
    return {
        "data": {
            "reservation_id": reservation_id,
            "resource_id": "elsewhere",
            "user_id": user_id,
            "start_time": tomorrow(8, days=3),
            "end_time": tomorrow(9, days=3),
            "status": "active",
        },
        "metadata": {
            "event_name": "reservation.created",
            "event_version": "1",
            "event_id": str(uuid.uuid4()),
            "correlation_id": "two-processes",
            "occurred_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        },
    }


def test_two_api_processes_and_two_function_instances_reach_the_same_client(
    stack: RunningStack, api: ApiClient, room: str, second_api: str
) -> None:
    other = ApiClient(second_api)
    try:
        token, user_id = member(api)
        with signed_in(stack, token, room) as ws:
            # When one booking goes through each API process
            first = book(api, token, room, 10, days=2)
            second = book(other, token, room, 12, days=2)
            # ...and two separate one-shot processes run the live worker for this user
            for marker in ("instance-1", "instance-2"):
                assert _invoke_live_worker(stack, _created_event(user_id, marker)) == {
                    "batchItemFailures": []
                }
            messages = read_until(ws, has("reservation.created", 4))
        ids = {e.get("reservation_id") for e in live_entries(messages)}
        # Then the one client got everything, whichever process wrote or pushed it
        assert {first, second, "instance-1", "instance-2"} <= ids
    finally:
        other.close()
