"""The app's WebSocket handlers, connection store and sender, in process (moto + a fake API).

Events are API-Gateway-shaped and go through the real app's registered handlers; replies
are read from a fake management API (the real one is exercised by tests/e2e).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline.connections import CONNECTION_LIFETIME
from chalicelib.integrations.websocket_api import ConfigurableWebsocketAPI
from chalicelib.settings import reset_settings
from tests.factories import user_id_of
from tests.fakes.websocket import FakeWebsocketAPI
from tests.integration.ws_kit import WsClient


@pytest.fixture
def fake_api(client: Client, clock: FrozenClock) -> FakeWebsocketAPI:
    api = FakeWebsocketAPI()
    wiring.use_websocket_api(api)
    return api


@pytest.fixture
def ws(fake_api: FakeWebsocketAPI) -> WsClient:
    return WsClient(fake_api).connect()


def test_connect_stores_an_unauthenticated_connection(ws: WsClient, clock: FrozenClock) -> None:
    connection = wiring.connections().get(ws.connection_id, clock.now())
    assert connection is not None
    assert connection.user_id is None
    assert connection.source_ip == "203.0.113.7"


def test_ping_gets_a_pong_through_the_management_api(ws: WsClient) -> None:
    assert ws.say({"action": "ping"}) == {"type": "pong", "connection_id": ws.connection_id}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "malformed_json"),
        ("[" * 100_000, "malformed_json"),  # a RecursionError once (issue 9, finding 5)
        ("[1, 2]", "invalid_message"),
        ({"action": "teleport"}, "unknown_action"),
        ({"action": "subscribe"}, "validation_error"),
        ({"action": "subscribe", "resource_id": "../../etc"}, "validation_error"),
        ({"action": "auth", "token": ""}, "validation_error"),
        ({"action": "subscribe", "resource_id": "r1"}, "not_authenticated"),
    ],
)
def test_bad_messages_get_an_error_reply(ws: WsClient, body: Any, code: str) -> None:
    reply = ws.say(body)
    assert (reply["type"], reply["code"]) == ("error", code)


def test_auth_in_the_first_message_links_the_connection_to_the_user(
    ws: WsClient, client: Client, user_token: str, clock: FrozenClock
) -> None:
    # When the client authenticates with its access token
    reply = ws.say({"action": "auth", "token": user_token})
    # Then the connection is the user's, and found among the user's connections
    user_id = user_id_of(client, user_token)
    assert (reply["type"], reply["user_id"]) == ("authenticated", user_id)
    assert wiring.connections().user_connections(user_id, clock.now()) == [ws.connection_id]


def test_a_bad_token_is_refused_and_the_connection_stays_anonymous(
    ws: WsClient, clock: FrozenClock
) -> None:
    reply = ws.say({"action": "auth", "token": "not-a-token"})
    assert reply["type"] == "error"
    connection = wiring.connections().get(ws.connection_id, clock.now())
    assert connection is not None
    assert connection.user_id is None


def test_a_connection_never_changes_hands(
    ws: WsClient, user_token: str, other_user_token: str
) -> None:
    ws.say({"action": "auth", "token": user_token})
    reply = ws.say({"action": "auth", "token": other_user_token})
    assert reply["code"] == "already_authenticated"


def test_subscribe_and_unsubscribe_a_resource(
    ws: WsClient, user_token: str, clock: FrozenClock
) -> None:
    # Given an authenticated connection
    ws.say({"action": "auth", "token": user_token})
    store = wiring.connections()
    # When it subscribes, Then it listens to that resource only
    assert ws.say({"action": "subscribe", "resource_id": "res-1"})["type"] == "subscribed"
    assert store.resource_listeners("res-1", clock.now()) == [ws.connection_id]
    assert store.resource_listeners("res-2", clock.now()) == []
    # When it unsubscribes, Then it no longer listens
    assert ws.say({"action": "unsubscribe", "resource_id": "res-1"})["type"] == "unsubscribed"
    assert store.resource_listeners("res-1", clock.now()) == []


def test_disconnect_forgets_the_connection_and_its_subscriptions(
    ws: WsClient, user_token: str, clock: FrozenClock
) -> None:
    ws.say({"action": "auth", "token": user_token})
    ws.say({"action": "subscribe", "resource_id": "res-1"})
    ws.disconnect()
    assert wiring.connections().get(ws.connection_id, clock.now()) is None
    assert wiring.connections().resource_listeners("res-1", clock.now()) == []


def test_send_to_user_reaches_live_connections_and_forgets_gone_ones(
    fake_api: FakeWebsocketAPI, client: Client, user_token: str, clock: FrozenClock
) -> None:
    # Given two connections of one user, one of which is gone without a $disconnect
    live, ghost = WsClient(fake_api).connect(), WsClient(fake_api).connect()
    for connection in (live, ghost):
        connection.say({"action": "auth", "token": user_token})
    fake_api.gone.add(ghost.connection_id)
    user_id = user_id_of(client, user_token)
    # When a message is pushed to the user
    delivered = wiring.websocket_sender().send_to_user(user_id, {"type": "hello"})
    # Then the live one receives it and the gone one is deleted
    assert delivered == 1
    assert live.api.last(live.connection_id) == {"type": "hello"}
    assert wiring.connections().user_connections(user_id, clock.now()) == [live.connection_id]


def test_records_past_their_lifetime_are_ignored_then_purged(
    ws: WsClient, client: Client, user_token: str, clock: FrozenClock
) -> None:
    # Given a connection whose $disconnect never ran
    ws.say({"action": "auth", "token": user_token})
    user_id = user_id_of(client, user_token)
    store = wiring.connections()
    # When its lifetime has passed, Then readers ignore it (TTL is lazy) and the purge removes it
    clock.advance(CONNECTION_LIFETIME + timedelta(minutes=1))
    assert store.get(ws.connection_id, clock.now()) is None
    assert store.user_connections(user_id, clock.now()) == []
    assert store.purge_expired(clock.now()) == 1
    assert store.purge_expired(clock.now()) == 0


def test_management_url_setting_overrides_chalice_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given no setting, Chalice's derivation from the event applies
    reset_settings()
    derived = ConfigurableWebsocketAPI()
    derived.configure_from_api_id("abc123", "api")
    assert derived._get_client().meta.endpoint_url == (
        "https://abc123.execute-api.us-east-1.amazonaws.com/api"
    )
    # Given WEBSOCKET_MANAGEMENT_URL, it wins (workers and the local stand-in use it)
    monkeypatch.setenv("WEBSOCKET_MANAGEMENT_URL", "http://127.0.0.1:8001/local/")
    reset_settings()
    configured = ConfigurableWebsocketAPI()
    configured.configure_from_api_id("abc123", "api")
    assert configured._get_client().meta.endpoint_url == "http://127.0.0.1:8001/local"
    reset_settings()
