"""First-run setup: only with the one-time setup token, exactly one first admin, then 409."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib.domain.accounts.accounts import User
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.principal import Role
from chalicelib.services.accounts.accounts import setup_token_hash
from chalicelib.store.accounts.users import SetupClaim, UserStore
from tests.factories import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    auth_headers,
    error_code,
    issue_setup_token,
    login,
    post_json,
    register,
)

INIT = "/api/v1/setup/initialize"


def init(client: Client, token: str, username: str, password: str = ADMIN_PASSWORD) -> Any:
    body = {"setup_token": token, "username": username, "password": password}
    return post_json(client, INIT, body)


def test_status_is_open_until_the_first_admin_exists(client: Client, setup_token: str) -> None:
    assert client.http.get("/api/v1/setup/status").json_body == {"setup_complete": False}
    init(client, setup_token, "root")
    assert client.http.get("/api/v1/setup/status").json_body == {"setup_complete": True}


def test_initialize_creates_an_admin_who_can_sign_in(client: Client, setup_token: str) -> None:
    # When setup runs with the setup token
    response = init(client, setup_token, "root")
    # Then the first admin exists and holds the admin role
    assert response.status_code == 201
    assert response.json_body["user"]["is_admin"] is True
    token = login(client, "root", ADMIN_PASSWORD)["access_token"]
    roles = client.http.get("/api/v1/roles/my-roles", headers=auth_headers(token)).json_body
    assert roles == ["admin", "user"]


def test_initialize_twice_is_409_setup_complete(client: Client, setup_token: str) -> None:
    init(client, setup_token, "root")
    again = init(client, setup_token, "mallory")
    assert again.status_code == 409
    assert error_code(again) == "setup_complete"
    refused = post_json(
        client, "/api/v1/token", {"username": "mallory", "password": ADMIN_PASSWORD}
    )
    assert refused.status_code == 401


# ------------------------------------------------- the setup token (issue 9, finding 7)


def test_whoever_comes_first_without_the_token_gets_nothing(client: Client) -> None:
    # Given a fresh deployment (no setup token issued yet)
    # When a stranger tries setup with no token, or with a made-up one
    missing = post_json(client, INIT, {"username": "mallory", "password": ADMIN_PASSWORD})
    guessed = init(client, "rrsetup_guess", "mallory")
    # Then both are refused and setup stays open for the operator
    assert missing.status_code == 422
    assert guessed.status_code == 403 and error_code(guessed) == "invalid_setup_token"
    issued = issue_setup_token()
    wrong = init(client, issued + "x", "mallory")
    assert wrong.status_code == 403 and error_code(wrong) == "invalid_setup_token"
    assert client.http.get("/api/v1/setup/status").json_body == {"setup_complete": False}
    assert init(client, issued, "root").status_code == 201


def test_the_token_is_stored_only_as_its_hash_and_consumed_by_the_setup(
    client: Client, setup_token: str
) -> None:
    def token_items() -> list[dict[str, Any]]:
        items = boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
        return [i for i in items if i["PK"]["S"] == "SETUPTOKEN"]

    # Given an issued token: at rest only its SHA-256
    (stored,) = token_items()
    assert setup_token not in json.dumps(stored)
    assert stored["token_hash"]["S"] == setup_token_hash(setup_token)
    # When setup succeeds, Then the token item is gone with it
    assert init(client, setup_token, "root").status_code == 201
    assert token_items() == []


def test_a_new_token_replaces_the_old_one(client: Client, setup_token: str) -> None:
    newer = issue_setup_token()
    old = init(client, setup_token, "root")
    assert old.status_code == 403 and error_code(old) == "invalid_setup_token"
    assert init(client, newer, "root").status_code == 201


def test_an_expired_token_is_refused(client: Client, clock: FrozenClock) -> None:
    token = issue_setup_token()
    clock.advance(timedelta(hours=24, seconds=1))
    late = init(client, token, "root")
    assert late.status_code == 403 and error_code(late) == "invalid_setup_token"


def test_no_token_is_issued_once_setup_is_complete(client: Client, setup_token: str) -> None:
    init(client, setup_token, "root")
    with pytest.raises(Conflict):
        issue_setup_token()


def test_initialize_promotes_an_existing_user_who_gives_the_password(
    client: Client, setup_token: str
) -> None:
    # Given a registered user
    register(client, "carol")
    # When setup names them without the setup token, Then the password is not even checked
    no_token = init(client, "rrsetup_guess", "carol", USER_PASSWORD)
    assert no_token.status_code == 403 and error_code(no_token) == "invalid_setup_token"
    # When setup names them with a wrong password, Then it is refused
    wrong = init(client, setup_token, "carol", "Not-her-password-1")
    assert wrong.status_code == 401
    # And with the right password they become admin
    right = init(client, setup_token, "carol", USER_PASSWORD)
    assert right.status_code == 201
    assert right.json_body["user"]["roles"] == ["admin", "user"]


def _admin(user_id: str, name: str, now: datetime) -> User:
    return User(user_id, name, frozenset({Role.ADMIN}), "hash", now)


def test_racing_initializations_create_one_admin(client: Client, setup_token: str) -> None:
    # Given two setup calls that both passed the "not complete yet" and token checks
    store = UserStore()
    now = datetime(2026, 11, 24, tzinfo=UTC)
    claim = SetupClaim(now, setup_token_hash(setup_token))
    store.create(_admin("u1", "first", now), first_admin=claim)
    # When the second one writes, Then its transaction is refused as a whole
    with pytest.raises(Conflict) as caught:
        store.create(_admin("u2", "second", now), first_admin=claim)
    assert caught.value.code == "setup_complete"
    assert store.find_by_username("second") is None
    assert store.get("u2") is None


def test_the_setup_transaction_itself_refuses_a_token_it_does_not_hold(
    client: Client, setup_token: str
) -> None:
    # Given a caller that got past the service's check with a token since replaced
    store = UserStore()
    now = datetime(2026, 11, 24, tzinfo=UTC)
    stale = SetupClaim(now, setup_token_hash(setup_token))
    issue_setup_token()
    # When it writes, Then the token condition refuses it and nothing is written
    with pytest.raises(Forbidden) as caught:
        store.create(_admin("u1", "first", now), first_admin=stale)
    assert caught.value.code == "invalid_setup_token"
    assert store.get("u1") is None and not store.setup_complete()
    carol = register(client, "carol")
    with pytest.raises(Forbidden):
        store.promote_first_admin(carol["id"], stale)
    assert not store.setup_complete()


def test_initialize_validates_its_body(client: Client, setup_token: str) -> None:
    assert (
        post_json(client, INIT, {"username": "root", "setup_token": setup_token}).status_code == 422
    )
    weak = init(client, setup_token, "root", "weak")
    assert error_code(weak) == "weak_password"
    extra = post_json(
        client,
        INIT,
        {"setup_token": setup_token, "username": "root", "password": ADMIN_PASSWORD, "x": 1},
    )
    assert extra.status_code == 422
    assert client.http.get("/api/v1/setup/status").json_body["setup_complete"] is False
