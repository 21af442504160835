"""The local stack's event side: WebSocket stand-in, event pump (stream, SQS) and ticker.

The pump is proven with the sample app's recorders, independently of the product handlers;
the WebSocket tests go through the product's own `$connect` / `$default` / `$disconnect`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosedOK
from websockets.sync.client import connect

from infra.local.stack import RunningStack
from tests.e2e.helpers import (
    TABLE,
    ask,
    connection_id_of,
    connection_item,
    eventually,
    recorded,
    records_of,
)

pytestmark = pytest.mark.e2e


def _gone_code(call: Any) -> int:
    with pytest.raises(ClientError) as failure:
        call()
    assert failure.value.response["Error"]["Code"] == "GoneException"
    return int(failure.value.response["ResponseMetadata"]["HTTPStatusCode"])


def test_ping_is_answered_through_the_app_and_the_connections_api(stack: RunningStack) -> None:
    # Given a client connected to the stand-in
    with connect(stack.urls["ws"]) as ws:
        # When it pings, Then the app's $default handler pongs through @connections
        reply = ask(ws, {"action": "ping"})
    assert reply["type"] == "pong"
    assert reply["connection_id"]


def test_bad_messages_get_error_replies_and_the_connection_survives(
    stack: RunningStack,
) -> None:
    with connect(stack.urls["ws"]) as ws:
        assert ask(ws, "not json")["code"] == "malformed_json"
        assert ask(ws, {"action": "dance"})["code"] == "unknown_action"
        assert ask(ws, {"nothing": 1})["code"] == "invalid_message"
        assert ask(ws, {"action": "ping", "extra": 1})["code"] == "validation_error"
        # subscribing needs the first-message authentication
        refused = ask(ws, {"action": "subscribe", "resource_id": "r1"})
        assert (refused["type"], refused["code"]) == ("error", "not_authenticated")
        bad_token = ask(ws, {"action": "auth", "token": "not-a-jwt"})
        assert bad_token["type"] == "error"
        # ...and after all that, the connection still works
        assert ask(ws, {"action": "ping"})["type"] == "pong"


def test_connection_is_recorded_then_forgotten_on_close(stack: RunningStack, dynamodb: Any) -> None:
    # Given an open connection, its $connect stored it
    with connect(stack.urls["ws"]) as ws:
        connection_id = connection_id_of(ws)
        item = connection_item(dynamodb, connection_id)
        assert item is not None
        assert "user_id" not in item  # not authenticated yet
    # When the client closes, Then $disconnect deletes it
    eventually(lambda: connection_item(dynamodb, connection_id) is None)


def test_connections_api_describes_live_connections_and_410s_gone_ones(
    stack: RunningStack, connections_api: Any
) -> None:
    with connect(stack.urls["ws"], user_agent_header="e2e-agent") as ws:
        connection_id = connection_id_of(ws)
        # When a live connection is described
        info = connections_api.get_connection(ConnectionId=connection_id)
        # Then it is found, with the caller's identity
        assert info["Identity"]["SourceIp"] == "127.0.0.1"
        assert info["Identity"]["UserAgent"] == "e2e-agent"
        assert info["ConnectedAt"] <= info["LastActiveAt"]
        # ...and a post reaches the client as a text frame
        connections_api.post_to_connection(ConnectionId=connection_id, Data=b'{"hello": 1}')
        assert json.loads(ws.recv(timeout=5)) == {"hello": 1}
    # When it is gone, Then GET and POST answer 410 GoneException
    assert _gone_code(lambda: connections_api.get_connection(ConnectionId=connection_id)) == 410
    assert (
        _gone_code(
            lambda: connections_api.post_to_connection(ConnectionId=connection_id, Data=b"x")
        )
        == 410
    )
    assert _gone_code(lambda: connections_api.get_connection(ConnectionId="never-was")) == 410


def test_delete_on_the_connections_api_closes_the_client(
    stack: RunningStack, connections_api: Any
) -> None:
    with connect(stack.urls["ws"]) as ws:
        connection_id = connection_id_of(ws)
        # When the management API deletes the connection
        connections_api.delete_connection(ConnectionId=connection_id)
        # Then the client sees a normal close from the server
        with pytest.raises(ConnectionClosedOK) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1000


def test_stream_records_reach_the_stream_handler(stack: RunningStack, dynamodb: Any) -> None:
    # Given a probe item written to the main table
    probe = uuid.uuid4().hex
    dynamodb.put_item(
        TableName=TABLE, Item={"PK": {"S": f"E2E#PROBE#{probe}"}, "SK": {"S": "probe"}}
    )
    # Then the pump delivers its stream record to the sample's stream handler
    payload = eventually(lambda: recorded(dynamodb, "stream", probe))
    assert payload["event_name"] == "INSERT"
    assert ":table/reserver-main/stream/" in payload["source_arn"]


def _send(sqs: Any, body: dict[str, Any]) -> None:
    url = sqs.get_queue_url(QueueName="e2e-sample")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))


def _queue_is_empty(sqs: Any, name: str) -> bool:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return set(attrs.values()) == {"0"}


def test_sqs_messages_reach_the_handler_and_are_deleted(
    stack: RunningStack, dynamodb: Any, sqs: Any
) -> None:
    message_id = uuid.uuid4().hex
    _send(sqs, {"id": message_id})
    payload = eventually(lambda: recorded(dynamodb, "sqs", message_id))
    assert payload["receive_count"] == 1
    eventually(lambda: _queue_is_empty(sqs, "e2e-sample"))


def test_a_partial_batch_failure_is_redelivered(
    stack: RunningStack, dynamodb: Any, sqs: Any
) -> None:
    # Given a message the handler reports in batchItemFailures the first time
    message_id = uuid.uuid4().hex
    _send(sqs, {"id": message_id, "fail": "first"})
    # Then it comes back and succeeds on the second delivery
    payload = eventually(lambda: recorded(dynamodb, "sqs", message_id))
    assert payload["receive_count"] == 2


def test_a_message_that_always_fails_ends_in_the_dlq(stack: RunningStack, sqs: Any) -> None:
    message_id = uuid.uuid4().hex
    _send(sqs, {"id": message_id, "fail": "always"})
    dlq = sqs.get_queue_url(QueueName="e2e-sample-dlq")["QueueUrl"]

    def in_dlq() -> bool:
        for message in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            if json.loads(message["Body"])["id"] == message_id:
                return True
        return False

    eventually(in_dlq, timeout=15, every=0.3)


def test_schedule_ticks_reach_the_handler(stack: RunningStack, dynamodb: Any) -> None:
    # Given the sample's rate(1 minute) schedule, 50x faster
    def two_ticks() -> list[dict[str, Any]] | None:
        ticks = records_of(dynamodb, "schedule")
        return ticks if len(ticks) >= 2 else None

    # Then the ticker keeps invoking its handler with a CloudWatch scheduled event
    ticks = eventually(two_ticks)
    assert ticks[0]["detail_type"] == "Scheduled Event"
    assert ticks[0]["resources"][0].endswith(":rule/e2e_tick")


def test_push_to_user_reaches_live_connections_and_forgets_gone_ones(
    stack: RunningStack, dynamodb: Any, sqs: Any
) -> None:
    user_id = f"user-{uuid.uuid4().hex[:8]}"
    # Given a record of a connection whose $disconnect never ran, signed in as the user
    ghost = f"ghost{uuid.uuid4().hex[:8]}"
    _plant_stale_connection(dynamodb, ghost, user_id)
    with connect(stack.urls["ws"]) as ws:
        # ...and a live connection signed in as the same user (attached by a worker)
        live = connection_id_of(ws)
        _send(sqs, {"id": uuid.uuid4().hex, "attach": live, "user_id": user_id})
        eventually(lambda: "user_id" in (connection_item(dynamodb, live) or {}))
        # When a worker pushes to the user
        push_id = uuid.uuid4().hex
        _send(sqs, {"id": push_id, "push_to_user": user_id, "message": {"type": "hello"}})
        # Then the live connection receives it
        assert json.loads(ws.recv(timeout=10)) == {"type": "hello"}
    # ...only one delivery counted, and the ghost (410 Gone) was forgotten
    assert eventually(lambda: recorded(dynamodb, "sqs", push_id))["body"]["delivered"] == 1
    assert connection_item(dynamodb, ghost) is None


def _plant_stale_connection(dynamodb: Any, connection_id: str, user_id: str) -> None:
    key = f"CONN#{connection_id}"
    dynamodb.put_item(
        TableName=TABLE,
        Item={
            "PK": {"S": key},
            "SK": {"S": key},
            "GSI1PK": {"S": f"USER#{user_id}"},
            "GSI1SK": {"S": key},
            "type": {"S": "ws_connection"},
            "connection_id": {"S": connection_id},
            "connected_at": {"S": "2099-01-01T00:00:00.000Z"},
            "user_id": {"S": user_id},
            "expires_at": {"N": "4102444800"},
        },
    )
