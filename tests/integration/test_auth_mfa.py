"""TOTP MFA end to end: enrol, enforced at login, replay refused, one-time backup codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.accounts import mfa as rules
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.accounts.users import UserItem, user_pk
from tests.factories import (
    USER_PASSWORD,
    auth_headers,
    error_code,
    login,
    post_json,
    user_id_of,
)

SETUP = "/api/v1/auth/mfa/setup"
VERIFY = "/api/v1/auth/mfa/verify"


def _token_call(client: Client, otp: str | None = None) -> Any:
    body = {"username": "alice", "password": USER_PASSWORD}
    if otp is not None:
        body["otp"] = otp
    return post_json(client, "/api/v1/token", body)


def _enrol(client: Client, token: str, clock: FrozenClock) -> dict[str, Any]:
    """Set up and verify MFA; returns the setup answer (secret and backup codes)."""
    enrolment: dict[str, Any] = post_json(client, SETUP, {}, token).json_body
    code = rules.code_for(enrolment["secret"], clock.now())
    assert post_json(client, VERIFY, {"code": code}, token).status_code == 200
    clock.advance(timedelta(seconds=30))  # the verify code's step is now spent
    return enrolment


def test_setup_returns_seed_qr_and_ten_backup_codes_but_does_not_enable(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    response = post_json(client, SETUP, {}, user_token)
    assert response.status_code == 200
    body = response.json_body
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    assert body["qr_png_data_uri"].startswith("data:image/png;base64,iVBOR")
    assert len(body["backup_codes"]) == 10
    me = client.http.get("/api/v1/users/me", headers=auth_headers(user_token)).json_body
    assert me["mfa_enabled"] is False
    assert _token_call(client).status_code == 200  # not enforced until verified


def test_verify_refuses_a_wrong_code_then_enables(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    enrolment = post_json(client, SETUP, {}, user_token).json_body
    wrong = post_json(client, VERIFY, {"code": "000000"}, user_token)
    assert wrong.status_code == 401
    assert error_code(wrong) == "invalid_otp"
    code = rules.code_for(enrolment["secret"], clock.now())
    assert post_json(client, VERIFY, {"code": code}, user_token).status_code == 200
    me = client.http.get("/api/v1/users/me", headers=auth_headers(user_token)).json_body
    assert me["mfa_enabled"] is True


def test_login_enforces_mfa_and_refuses_replayed_codes(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    # Given alice enabled MFA
    secret = _enrol(client, user_token, clock)["secret"]
    # When she signs in without a code, Then mfa_required
    missing = _token_call(client)
    assert missing.status_code == 401
    assert error_code(missing) == "mfa_required"
    # When with a wrong code, Then invalid_otp
    wrong = _token_call(client, "123456")
    assert error_code(wrong) == "invalid_otp"
    # When with the current code, Then she is in
    code = rules.code_for(secret, clock.now())
    assert _token_call(client, code).status_code == 200
    # When the same code is replayed (same 30 s step), Then it is refused
    replay = _token_call(client, code)
    assert replay.status_code == 401
    assert error_code(replay) == "invalid_otp"
    # And the next step's code works
    clock.advance(timedelta(seconds=30))
    assert _token_call(client, rules.code_for(secret, clock.now())).status_code == 200


def test_a_backup_code_works_once(client: Client, user_token: str, clock: FrozenClock) -> None:
    codes = _enrol(client, user_token, clock)["backup_codes"]
    assert _token_call(client, codes[0].upper()).status_code == 200
    again = _token_call(client, codes[0])
    assert again.status_code == 401
    assert error_code(again) == "invalid_otp"
    assert _token_call(client, codes[1]).status_code == 200


def test_concurrent_uses_of_one_backup_code_admit_one(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    # Given two requests that both read the account before either consumed the code
    code = _enrol(client, user_token, clock)["backup_codes"][0]
    stale = wiring.accounts().profile(_principal(user_token))
    service = wiring.mfa()
    # When both try to consume it, Then the conditional delete admits exactly one
    results = [service.check_second_factor(stale, code), service.check_second_factor(stale, code)]
    assert results == [True, False]


def test_concurrent_uses_of_one_totp_code_admit_one(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    secret = _enrol(client, user_token, clock)["secret"]
    stale = wiring.accounts().profile(_principal(user_token))
    code = rules.code_for(secret, clock.now())
    service = wiring.mfa()
    assert [service.check_second_factor(stale, code), service.check_second_factor(stale, code)] == [
        True,
        False,
    ]


def test_secrets_are_not_stored_in_clear(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    enrolment = _enrol(client, user_token, clock)
    item = UserItem.get(user_pk(user_id_of(client, user_token)), "PROFILE", consistent_read=True)
    raw = str(item.serialize())
    assert enrolment["secret"] not in raw
    for code in enrolment["backup_codes"]:
        assert code not in raw and code.replace("-", "") not in raw
    assert len(item.backup_codes or ()) == 10


def test_regenerated_backup_codes_replace_the_old_ones(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    enrolment = _enrol(client, user_token, clock)
    code = rules.code_for(enrolment["secret"], clock.now())
    response = post_json(client, "/api/v1/auth/mfa/backup-codes", {"code": code}, user_token)
    assert response.status_code == 200
    fresh = response.json_body["backup_codes"]
    assert len(fresh) == 10
    assert _token_call(client, enrolment["backup_codes"][0]).status_code == 401
    assert _token_call(client, fresh[0]).status_code == 200
    bad = post_json(client, "/api/v1/auth/mfa/backup-codes", {"code": "000000"}, user_token)
    assert bad.status_code == 401


def test_disable_needs_password_and_code(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    enrolment = _enrol(client, user_token, clock)
    path = "/api/v1/auth/mfa/disable"
    code = rules.code_for(enrolment["secret"], clock.now())
    wrong_password = post_json(
        client, path, {"password": "Wrong-password-1", "code": code}, user_token
    )
    assert wrong_password.status_code == 401
    wrong_code = post_json(client, path, {"password": USER_PASSWORD, "code": "000000"}, user_token)
    assert error_code(wrong_code) == "invalid_otp"
    done = post_json(client, path, {"password": USER_PASSWORD, "code": code}, user_token)
    assert done.status_code == 200
    assert _token_call(client).status_code == 200  # no code needed any more
    again = post_json(client, path, {"password": USER_PASSWORD, "code": code}, user_token)
    assert error_code(again) == "mfa_not_enabled"


def test_setup_twice_while_enabled_is_409_and_verify_needs_setup(
    client: Client, user_token: str, clock: FrozenClock
) -> None:
    not_started = post_json(client, VERIFY, {"code": "123456"}, user_token)
    assert error_code(not_started) == "mfa_setup_not_started"
    _enrol(client, user_token, clock)
    again = post_json(client, SETUP, {}, user_token)
    assert again.status_code == 409
    assert error_code(again) == "mfa_already_enabled"


@pytest.mark.parametrize(
    "path",
    [SETUP, VERIFY, "/api/v1/auth/mfa/disable", "/api/v1/auth/mfa/backup-codes"],
)
def test_mfa_routes_need_a_token(client: Client, path: str) -> None:
    assert post_json(client, path, {"code": "1", "password": "x"}).status_code == 401


def test_mfa_bodies_are_validated(client: Client, user_token: str) -> None:
    assert post_json(client, VERIFY, {}, user_token).status_code == 422
    assert post_json(client, VERIFY, {"code": 123456}, user_token).status_code == 422
    extra = post_json(client, "/api/v1/auth/mfa/disable", {"code": "1"}, user_token)
    assert extra.status_code == 422


def test_mfa_is_per_user(
    client: Client, user_token: str, other_user_token: str, clock: FrozenClock
) -> None:
    _enrol(client, user_token, clock)
    bob = post_json(client, "/api/v1/token", {"username": "bob", "password": USER_PASSWORD})
    assert bob.status_code == 200
    assert login(client, "bob")["access_token"]


def _principal(token: str) -> Any:
    from chalicelib.domain.principal import Channel

    return wiring.authenticator().authenticate(token, client_ip="127.0.0.1", channel=Channel.API)
