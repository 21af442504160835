"""Every route that checks a secret is behind the same attempt gate (issue 9, finding 3).

Counted before the check, on three keys: per (purpose, username, address) strictly (5 free,
then 30 s doubling), per username and per address softly (a progressive delay, never a lock).
The race itself (parallel guesses) is in test_auth_register_login.py.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.accounts import mfa as rules
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import NotAuthenticated, TooManyRequests
from tests.factories import USER_PASSWORD, error_code, issue_setup_token, post_json, register

WRONG = "Wrong-password-1"


def _refused_after_five(call: Any) -> Any:
    """Five wrong answers are 401 (or 403); the sixth is 429 without being checked."""
    for _ in range(5):
        assert call().status_code in (401, 403)
    sixth = call()
    assert sixth.status_code == 429, sixth.body
    assert error_code(sixth) == "too_many_attempts"
    assert int(sixth.headers["Retry-After"]) > 0
    return sixth


def _mfa_on(client: Client, token: str, clock: FrozenClock) -> None:
    enrolment = post_json(client, "/api/v1/auth/mfa/setup", {}, token).json_body
    code = rules.code_for(enrolment["secret"], clock.now())
    assert post_json(client, "/api/v1/auth/mfa/verify", {"code": code}, token).status_code == 200
    clock.advance(timedelta(seconds=30))


def test_password_change_guesses_are_limited(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    # Given a stolen access token, When it loops guesses of the current password
    body = {"current_password": WRONG, "new_password": "Brand-new-pass-2"}
    _refused_after_five(lambda: post_json(client, "/api/v1/users/me/password", body, user_token))
    # Then even the right one waits
    right = {"current_password": USER_PASSWORD, "new_password": "Brand-new-pass-2"}
    waiting = post_json(client, "/api/v1/users/me/password", right, user_token)
    assert waiting.status_code == 429


def test_backup_code_renewal_guesses_are_limited(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    # Given MFA on, When a stolen token loops TOTP guesses at backup-code renewal
    _mfa_on(client, user_token, clock)
    path = "/api/v1/auth/mfa/backup-codes"
    _refused_after_five(lambda: post_json(client, path, {"code": "000000"}, user_token))


def test_mfa_disable_guesses_are_limited(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    _mfa_on(client, user_token, clock)
    body = {"password": WRONG, "code": "000000"}
    _refused_after_five(lambda: post_json(client, "/api/v1/auth/mfa/disable", body, user_token))


def test_setup_guesses_are_limited(client: Client, clock: FrozenClock) -> None:
    issue_setup_token()
    body = {"setup_token": "rrsetup_guess", "username": "root", "password": "Sup3r-secret-pass"}
    _refused_after_five(lambda: post_json(client, "/api/v1/setup/initialize", body))


def test_many_addresses_guessing_one_account_slow_it_down_without_a_lock(
    client: Client, clock: FrozenClock
) -> None:
    # Given 20 wrong passwords for carol, each from a different address
    register(client, "carol")
    sessions = wiring.sessions()
    for n in range(20):
        with pytest.raises(NotAuthenticated):
            sessions.login("carol", WRONG, None, f"198.51.100.{n}")
    # When one more comes from yet another address, Then it must wait (the per-username limit)
    with pytest.raises(TooManyRequests) as caught:
        sessions.login("carol", WRONG, None, "203.0.113.50")
    assert 0 < caught.value.retry_after <= 60
    # And it is a delay, not a lock: after it, the real user signs in
    clock.advance(timedelta(seconds=caught.value.retry_after))
    assert sessions.login("carol", USER_PASSWORD, None, "192.0.2.7").access_token


def test_one_address_spraying_many_accounts_is_slowed(client: Client, clock: FrozenClock) -> None:
    sessions = wiring.sessions()
    # Given 50 wrong passwords for 50 names from one address
    for n in range(50):
        with contextlib.suppress(NotAuthenticated):
            sessions.login(f"user{n}", WRONG, None, "203.0.113.9")
    # When it tries a 51st name, Then it waits (the per-address limit)
    with pytest.raises(TooManyRequests):
        sessions.login("user-next", WRONG, None, "203.0.113.9")


def test_an_ipv6_attacker_cannot_escape_by_rotating_within_a_64(
    client: Client, clock: FrozenClock
) -> None:
    register(client, "carol")
    sessions = wiring.sessions()
    for n in range(5):
        with pytest.raises(NotAuthenticated):
            sessions.login("carol", WRONG, None, f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(TooManyRequests):
        sessions.login("carol", WRONG, None, "2001:db8:1:2:ffff::1")
    # while another /64 is not held back by it
    assert sessions.login("carol", USER_PASSWORD, None, "2001:db8:9:9::1").access_token
