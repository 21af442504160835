"""First-run setup: exactly one first admin, then 409."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chalice.test import Client

from chalicelib.domain.accounts.accounts import User
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import Role
from chalicelib.store.accounts.users import UserStore
from tests.factories import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    auth_headers,
    error_code,
    login,
    post_json,
    register,
)

INIT = "/api/v1/setup/initialize"


def test_status_is_open_until_the_first_admin_exists(client: Client) -> None:
    assert client.http.get("/api/v1/setup/status").json_body == {"setup_complete": False}
    post_json(client, INIT, {"username": "root", "password": ADMIN_PASSWORD})
    assert client.http.get("/api/v1/setup/status").json_body == {"setup_complete": True}


def test_initialize_creates_an_admin_who_can_sign_in(client: Client) -> None:
    # When setup runs
    response = post_json(client, INIT, {"username": "root", "password": ADMIN_PASSWORD})
    # Then the first admin exists and holds the admin role
    assert response.status_code == 201
    assert response.json_body["user"]["is_admin"] is True
    token = login(client, "root", ADMIN_PASSWORD)["access_token"]
    roles = client.http.get("/api/v1/roles/my-roles", headers=auth_headers(token)).json_body
    assert roles == ["admin", "user"]


def test_initialize_twice_is_409_setup_complete(client: Client) -> None:
    post_json(client, INIT, {"username": "root", "password": ADMIN_PASSWORD})
    again = post_json(client, INIT, {"username": "mallory", "password": ADMIN_PASSWORD})
    assert again.status_code == 409
    assert error_code(again) == "setup_complete"
    refused = post_json(
        client, "/api/v1/token", {"username": "mallory", "password": ADMIN_PASSWORD}
    )
    assert refused.status_code == 401


def test_initialize_promotes_an_existing_user_who_gives_the_password(client: Client) -> None:
    # Given a registered user
    register(client, "carol")
    # When setup names them with a wrong password, Then it is refused
    wrong = post_json(client, INIT, {"username": "carol", "password": "Not-her-password-1"})
    assert wrong.status_code == 401
    # And with the right password they become admin
    right = post_json(client, INIT, {"username": "carol", "password": USER_PASSWORD})
    assert right.status_code == 201
    assert right.json_body["user"]["roles"] == ["admin", "user"]


def test_racing_initializations_create_one_admin(client: Client) -> None:
    # Given two setup calls that both passed the "not complete yet" read
    store = UserStore()
    now = datetime(2026, 11, 24, tzinfo=UTC)

    def admin(user_id: str, name: str) -> User:
        return User(user_id, name, frozenset({Role.ADMIN}), "hash", now)

    store.create(admin("u1", "first"), first_admin_at=now)
    # When the second one writes, Then its transaction is refused as a whole
    with pytest.raises(Conflict) as caught:
        store.create(admin("u2", "second"), first_admin_at=now)
    assert caught.value.code == "setup_complete"
    assert store.find_by_username("second") is None
    assert store.get("u2") is None


def test_initialize_validates_its_body(client: Client) -> None:
    assert post_json(client, INIT, {"username": "root"}).status_code == 422
    weak = post_json(client, INIT, {"username": "root", "password": "weak"})
    assert error_code(weak) == "weak_password"
    extra = post_json(client, INIT, {"username": "root", "password": ADMIN_PASSWORD, "x": 1})
    assert extra.status_code == 422
    assert client.http.get("/api/v1/setup/status").json_body["setup_complete"] is False
