"""Issue 9, finding 6: a WebSocket's sign-in is re-checked on every message and before every
push, and the user's sockets are closed on logout, disabling, password change and role
change (the live worker reacts to the account's changes on the bus).

Each test fails without its fix: before it, a socket signed in once stayed signed in for its
two-hour life whatever happened to the token or the account.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from tests.factories import USER_PASSWORD, login, send_json
from tests.fakes.websocket import FakeWebsocketAPI
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, person
from tests.integration.reservations_kit import at, booked, create_resource
from tests.integration.ws_kit import WsClient


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    yield Pipeline(app)


@pytest.fixture
def ada(client: Client, pipeline: Pipeline, admin_token: str) -> Person:
    who = person(client, "ada")
    pipeline.run()
    return who


def sockets(fake_ws: FakeWebsocketAPI, token: str, count: int = 2) -> list[WsClient]:
    return [WsClient(fake_ws).connect().sign_in(token, "room-1") for _ in range(count)]


def ended(fake_ws: FakeWebsocketAPI, ws: WsClient, clock: FrozenClock) -> str | None:
    """The reason the socket was told before being closed and forgotten, else None."""
    farewells = ws.messages("session_ended")
    if not farewells:
        return None
    assert ws.connection_id in fake_ws.closed
    assert wiring.connections().get(ws.connection_id, clock.now()) is None
    return str(farewells[-1]["reason"])


def admin_call(client: Client, token: str, method: str, path: str, body: Any = None) -> None:
    response = send_json(client, method, path, body, token)
    assert response.status_code == 200, response.body


def test_logout_closes_the_sockets_signed_in_with_that_token_only(
    client: Client, fake_ws: FakeWebsocketAPI, pipeline: Pipeline, ada: Person, clock: FrozenClock
) -> None:
    # Given two sockets signed in with one token, and one with a second sign-in's token
    first = sockets(fake_ws, ada.token)
    other_login = str(login(client, "ada", USER_PASSWORD)["access_token"])
    [second] = sockets(fake_ws, other_login, 1)
    refresh = login(client, "ada", USER_PASSWORD)["refresh_token"]
    # When the first token logs out (its own refresh session only)
    response = send_json(client, "POST", "/api/v1/logout", {"refresh_token": refresh}, ada.token)
    assert response.status_code == 200, response.body
    pipeline.run()
    # Then its sockets are told and closed; the other sign-in's socket stays
    assert [ended(fake_ws, ws, clock) for ws in first] == ["token_revoked", "token_revoked"]
    assert ended(fake_ws, second, clock) is None
    assert second.say({"action": "ping"})["type"] == "pong"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("disable", "account_disabled"),
        ("reset_password", "token_revoked"),
        ("make_admin", "roles_changed"),
        ("make_guest", "roles_changed"),
    ],
)
def test_an_admins_change_to_the_account_closes_all_its_sockets(
    client: Client,
    fake_ws: FakeWebsocketAPI,
    pipeline: Pipeline,
    ada: Person,
    admin_token: str,
    clock: FrozenClock,
    change: str,
    reason: str,
) -> None:
    mine = sockets(fake_ws, ada.token)
    calls = {
        "disable": ("POST", f"/api/v1/admin/users/{ada.user_id}/disable", None),
        "reset_password": (
            "POST",
            "/api/v1/auth/admin/reset-password",
            {"user_id": ada.user_id, "new_password": "Another-password-2"},
        ),
        "make_admin": ("POST", "/api/v1/roles/assign", {"user_id": ada.user_id, "role": "admin"}),
        "make_guest": ("DELETE", "/api/v1/roles/assign", {"user_id": ada.user_id, "role": "user"}),
    }
    method, path, body = calls[change]
    admin_call(client, admin_token, method, path, body)
    pipeline.run()
    assert [ended(fake_ws, ws, clock) for ws in mine] == [reason, reason]


def test_a_password_change_closes_the_users_sockets(
    client: Client, fake_ws: FakeWebsocketAPI, pipeline: Pipeline, ada: Person, clock: FrozenClock
) -> None:
    mine = sockets(fake_ws, ada.token)
    body = {"current_password": USER_PASSWORD, "new_password": "Another-password-2"}
    response = send_json(client, "POST", "/api/v1/users/me/password", body, ada.token)
    assert response.status_code == 200, response.body
    pipeline.run()
    assert [ended(fake_ws, ws, clock) for ws in mine] == ["token_revoked", "token_revoked"]


@pytest.mark.parametrize(
    "message",
    [{"action": "subscribe", "resource_id": "room-2"}, {"action": "ping"}, "{not json"],
)
def test_every_message_rechecks_the_sign_in(
    client: Client,
    fake_ws: FakeWebsocketAPI,
    ada: Person,
    admin_token: str,
    clock: FrozenClock,
    message: Any,
) -> None:
    # Given Ada's socket, and her account disabled (the bus has not delivered it yet)
    [ws] = sockets(fake_ws, ada.token, 1)
    admin_call(client, admin_token, "POST", f"/api/v1/admin/users/{ada.user_id}/disable")
    # When the socket sends anything, even garbage, Then it is told why and closed, not answered
    answered = len(fake_ws.replies(ws.connection_id))
    ws.say(message)
    assert ended(fake_ws, ws, clock) == "account_disabled"
    assert [m["type"] for m in fake_ws.replies(ws.connection_id)[answered:]] == ["session_ended"]


def test_an_expired_token_ends_the_socket_before_a_push_unless_it_signed_in_again(
    client: Client, fake_ws: FakeWebsocketAPI, pipeline: Pipeline, ada: Person, clock: FrozenClock
) -> None:
    # Given two of Ada's sockets; one signs in again with a fresh token before expiry
    stale, renewed = sockets(fake_ws, ada.token)
    clock.advance(timedelta(minutes=10))
    fresh = str(login(client, "ada", USER_PASSWORD)["access_token"])
    assert renewed.say({"action": "auth", "token": fresh})["type"] == "authenticated"
    # When the first token has expired and someone books the room they watch
    clock.advance(timedelta(minutes=6))
    bea = person(client, "bea")
    booked(client, bea.token, at(10), at(11))
    pipeline.run()
    # Then the stale socket is ended instead of pushed to; the renewed one gets the slot
    assert ended(fake_ws, stale, clock) == "token_expired"
    assert stale.live_entries() == []
    assert [e["event"] for e in renewed.live_entries()] == ["slot.taken"]


def test_a_socket_cannot_sign_in_as_another_user_even_again(
    client: Client, fake_ws: FakeWebsocketAPI, ada: Person
) -> None:
    [ws] = sockets(fake_ws, ada.token, 1)
    bea = person(client, "bea")
    assert ws.say({"action": "auth", "token": bea.token})["code"] == "already_authenticated"


def test_a_revoked_sign_in_ends_its_sockets_and_leaves_the_others(
    client: Client, fake_ws: FakeWebsocketAPI, ada: Person, clock: FrozenClock
) -> None:
    # Given a socket on a laptop's sign-in and one on a phone's (two refresh families)
    laptop = login(client, "ada", USER_PASSWORD)
    phone = login(client, "ada", USER_PASSWORD)
    [on_laptop] = sockets(fake_ws, str(laptop["access_token"]), 1)
    [on_phone] = sockets(fake_ws, str(phone["access_token"]), 1)
    # When the laptop's refresh token is replayed (the sign-in is revoked as stolen, while its
    # access tokens stay unexpired and off the deny-list)
    replayed = [
        send_json(
            client, "POST", "/api/v1/token/refresh", {"refresh_token": laptop["refresh_token"]}
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in replayed] == [200, 401]
    # Then the laptop's socket ends at its next message, as its REST requests do
    on_laptop.say({"action": "ping"})
    assert ended(fake_ws, on_laptop, clock) == "token_revoked"
    assert on_phone.say({"action": "ping"})["type"] == "pong"
    assert ended(fake_ws, on_phone, clock) is None
