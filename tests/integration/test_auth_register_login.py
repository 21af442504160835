"""POST /api/v1/register and POST /api/v1/token: accounts, login, lockout."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import NotAuthenticated, TooManyRequests
from tests.factories import (
    USER_PASSWORD,
    auth_headers,
    error_code,
    login,
    post_form,
    post_json,
    register,
)


def test_register_returns_the_profile_without_secrets(client: Client) -> None:
    # When a new account is registered
    response = post_json(
        client,
        "/api/v1/register",
        {"username": "Carol", "password": USER_PASSWORD, "email": "carol@Example.com"},
    )
    # Then it is created with role user, a lower-case username and no secret in the answer
    assert response.status_code == 201
    body = response.json_body
    assert body["username"] == "carol"
    assert body["email"] == "carol@example.com"
    assert body["roles"] == ["user"]
    assert body["is_admin"] is False
    assert "password" not in response.body.decode()
    assert "password_hash" not in body


def test_usernames_are_unique_regardless_of_case(client: Client) -> None:
    # Given carol exists
    register(client, "carol")
    # When CAROL registers
    response = post_json(
        client, "/api/v1/register", {"username": "CAROL", "password": "x" * 9 + "Y1"}
    )
    # Then 409 username_taken
    assert response.status_code == 409
    assert error_code(response) == "username_taken"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"username": "ab", "password": USER_PASSWORD}, 422, "invalid_username"),
        ({"username": "bad name", "password": USER_PASSWORD}, 422, "invalid_username"),
        ({"username": "carol", "password": "short"}, 422, "weak_password"),
        ({"username": "carol", "password": "onlylowercase"}, 422, "weak_password"),
        ({"username": "carol", "password": USER_PASSWORD, "email": "nope"}, 422, "invalid_email"),
        ({"username": "carol"}, 422, "validation_error"),
        ({"username": 12345, "password": USER_PASSWORD}, 422, "validation_error"),
        ({"username": "carol", "password": USER_PASSWORD, "admin": True}, 422, "validation_error"),
    ],
)
def test_register_refuses_bad_input_with_json_errors(
    client: Client, body: dict[str, object], status: int, code: str
) -> None:
    response = post_json(client, "/api/v1/register", body)
    assert response.status_code == status
    assert error_code(response) == code


def test_weak_password_error_names_the_rule(client: Client) -> None:
    response = post_json(client, "/api/v1/register", {"username": "carol", "password": "short"})
    assert response.json_body["error"]["details"] == {"rule": "min_length"}


def test_malformed_json_is_a_400(client: Client) -> None:
    response = client.http.post(
        "/api/v1/register", headers={"Content-Type": "application/json"}, body=b"{nope"
    )
    assert response.status_code == 400
    assert error_code(response) == "malformed_json"


def test_login_returns_bearer_tokens_usable_on_the_api(client: Client) -> None:
    # Given a registered user
    register(client, "carol")
    # When they sign in (username in another case)
    tokens = login(client, "Carol")
    # Then they get an access token, a refresh token and the lifetime
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    assert tokens["refresh_token"]
    me = client.http.get("/api/v1/users/me", headers=auth_headers(tokens["access_token"]))
    assert me.json_body["username"] == "carol"


def test_login_accepts_a_form_urlencoded_body(client: Client) -> None:
    register(client, "carol")
    response = post_form(
        client,
        "/api/v1/token",
        {"username": "carol", "password": USER_PASSWORD, "grant_type": "password", "scope": ""},
    )
    assert response.status_code == 200
    assert response.json_body["access_token"]


@pytest.mark.parametrize(
    ("username", "password"), [("carol", "Wrong-password-1"), ("nobody", USER_PASSWORD)]
)
def test_wrong_password_and_unknown_user_look_the_same(
    client: Client, username: str, password: str
) -> None:
    register(client, "carol")
    response = post_json(client, "/api/v1/token", {"username": username, "password": password})
    assert response.status_code == 401
    assert error_code(response) == "invalid_credentials"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_login_refuses_missing_and_unknown_fields(client: Client) -> None:
    missing = post_json(client, "/api/v1/token", {"username": "carol"})
    unknown = post_json(
        client, "/api/v1/token", {"username": "carol", "password": "x", "remember": True}
    )
    assert missing.status_code == unknown.status_code == 422


def test_repeated_failures_are_throttled_with_retry_after(
    client: Client, clock: FrozenClock
) -> None:
    # Given a user and five wrong passwords from one address
    register(client, "carol")
    for _ in range(5):
        bad = post_json(client, "/api/v1/token", {"username": "carol", "password": "Wrong-pass-1"})
        assert bad.status_code == 401
    # When they try again, even with the right password
    response = post_json(client, "/api/v1/token", {"username": "carol", "password": USER_PASSWORD})
    # Then 429 too_many_attempts with Retry-After
    assert response.status_code == 429
    assert error_code(response) == "too_many_attempts"
    assert response.headers["Retry-After"] == "30"
    # And after the delay, the right password works and resets the counter
    clock.advance(timedelta(seconds=30))
    assert login(client, "carol")["access_token"]


def test_backoff_grows_with_each_failure_after_the_threshold(
    client: Client, clock: FrozenClock
) -> None:
    register(client, "carol")
    sessions = wiring.sessions()
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            sessions.login("carol", "Wrong-pass-1", None, "10.0.0.1")
    clock.advance(timedelta(seconds=30))
    with pytest.raises(NotAuthenticated):
        sessions.login("carol", "Wrong-pass-1", None, "10.0.0.1")  # sixth failure
    with pytest.raises(TooManyRequests) as caught:
        sessions.login("carol", USER_PASSWORD, None, "10.0.0.1")
    assert caught.value.retry_after == 60


def test_an_attacker_elsewhere_cannot_lock_the_user_out(client: Client, clock: FrozenClock) -> None:
    # Given an attacker who failed many times from 203.0.113.9
    register(client, "carol")
    sessions = wiring.sessions()
    for _ in range(8):
        with contextlib.suppress(NotAuthenticated, TooManyRequests):
            sessions.login("carol", "Guess-password-1", None, "203.0.113.9")
    with pytest.raises(TooManyRequests):
        sessions.login("carol", USER_PASSWORD, None, "203.0.113.9")
    # When the real user signs in from their own address
    pair = sessions.login("carol", USER_PASSWORD, None, "198.51.100.7")
    # Then it works
    assert pair.access_token


def test_the_failure_window_expires(client: Client, clock: FrozenClock) -> None:
    register(client, "carol")
    sessions = wiring.sessions()
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            sessions.login("carol", "Wrong-pass-1", None, "10.0.0.1")
    # After the window, four more failures do not reach the threshold
    clock.advance(timedelta(minutes=16))
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            sessions.login("carol", "Wrong-pass-1", None, "10.0.0.1")
    assert sessions.login("carol", USER_PASSWORD, None, "10.0.0.1").access_token


def test_parallel_guesses_cannot_race_past_the_threshold(
    client: Client, clock: FrozenClock
) -> None:
    # Given a user, and 40 wrong passwords for them sent at once from one address
    register(client, "carol")
    sessions = wiring.sessions()
    start = threading.Barrier(20)

    def guess(n: int) -> str:
        if n < 20:
            start.wait()
        try:
            sessions.login("carol", f"Wrong-pass-{n}", None, "203.0.113.9")
        except TooManyRequests:
            return "429"
        except NotAuthenticated:
            return "401"
        return "200"

    # When they all race (issue 9, finding 3: all 40 used to reach the password check)
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = Counter(pool.map(guess, range(40)))
    # Then each attempt was counted before its check: only about the free five were checked.
    # (moto's in-process backend checks a condition and writes without a lock, so under threads
    # a few extra slip through here: seen 5 to 9 of 40, against 17 to 20 before the fix;
    # tests/e2e/test_auth_flow.py runs the same race on DynamoDB Local, where the bound is 5.)
    assert answers["200"] == 0
    assert answers["401"] <= 12, answers
    assert answers["429"] >= 28, answers
    # And the real user, from their own address, still signs in
    assert sessions.login("carol", USER_PASSWORD, None, "198.51.100.7").access_token
