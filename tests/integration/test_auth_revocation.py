"""Issue 9, finding 11: ending a session ends its access tokens too, MFA changes end the
other sessions, and no session is refreshed past its absolute lifetime.

Each access token names its session (`sid`, the refresh family); every request reads that
family in the same BatchGetItem as the user, so revoking the family bites at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalice.test import Client

from chalicelib.domain.accounts import mfa as rules
from chalicelib.domain.clock import FrozenClock
from tests.factories import USER_PASSWORD, auth_headers, error_code, login, post_json, register

ME = "/api/v1/users/me"


def _refresh(client: Client, refresh_token: str) -> Any:
    return post_json(client, "/api/v1/token/refresh", {"refresh_token": refresh_token})


def _works(client: Client, access_token: str) -> bool:
    status = client.http.get(ME, headers=auth_headers(access_token)).status_code
    assert status in (200, 401)
    return status == 200


def test_logout_without_a_refresh_token_ends_the_sessions_other_access_tokens(
    client: Client,
) -> None:
    # Given a session that refreshed once (two live access tokens) and a second session
    register(client, "carol")
    first = login(client, "carol")
    rotated = _refresh(client, first["refresh_token"]).json_body
    other = login(client, "carol")
    assert _works(client, first["access_token"]) and _works(client, rotated["access_token"])
    # When carol logs out with the newer access token and no refresh token
    assert post_json(client, "/api/v1/logout", {}, rotated["access_token"]).status_code == 200
    # Then the older access token of that session is refused too, not only the presented one
    refused = client.http.get(ME, headers=auth_headers(first["access_token"]))
    assert refused.status_code == 401 and error_code(refused) == "token_revoked"
    # And (no refresh token named: every session ends) the other session's tokens too
    assert not _works(client, other["access_token"])
    assert _refresh(client, other["refresh_token"]).status_code == 401


def test_logout_with_a_refresh_token_ends_that_session_only(client: Client) -> None:
    register(client, "carol")
    first = login(client, "carol")
    rotated = _refresh(client, first["refresh_token"]).json_body
    other = login(client, "carol")
    body = {"refresh_token": rotated["refresh_token"]}
    assert post_json(client, "/api/v1/logout", body, rotated["access_token"]).status_code == 200
    assert not _works(client, first["access_token"])
    assert _works(client, other["access_token"])


def test_refresh_reuse_ends_the_familys_access_tokens(client: Client) -> None:
    # Given a session whose refresh token was rotated (a thief may hold either pair)
    register(client, "carol")
    first = login(client, "carol")
    second = _refresh(client, first["refresh_token"]).json_body
    other = login(client, "carol")
    # When the used refresh token is presented again
    reused = _refresh(client, first["refresh_token"])
    assert error_code(reused) == "refresh_token_reused"
    # Then every access token of that session is refused at once; other sessions live on
    assert not _works(client, first["access_token"])
    assert not _works(client, second["access_token"])
    assert _works(client, other["access_token"])


def _enable_mfa(client: Client, token: str, clock: FrozenClock) -> str:
    enrolment = post_json(client, "/api/v1/auth/mfa/setup", {}, token).json_body
    code = rules.code_for(enrolment["secret"], clock.now())
    assert post_json(client, "/api/v1/auth/mfa/verify", {"code": code}, token).status_code == 200
    clock.advance(timedelta(seconds=30))
    return str(enrolment["secret"])


def test_enabling_mfa_ends_the_other_sessions(client: Client, clock: FrozenClock) -> None:
    # Given carol signed in twice (say, her laptop and a thief's browser)
    register(client, "carol")
    mine, theirs = login(client, "carol"), login(client, "carol")
    # When she turns MFA on from her session
    _enable_mfa(client, mine["access_token"], clock)
    # Then the other session is over, access and refresh token alike; hers goes on
    assert not _works(client, theirs["access_token"])
    assert _refresh(client, theirs["refresh_token"]).status_code == 401
    assert _works(client, mine["access_token"])
    assert _refresh(client, mine["refresh_token"]).status_code == 200


def test_disabling_mfa_ends_the_other_sessions(client: Client, clock: FrozenClock) -> None:
    register(client, "carol")
    mine = login(client, "carol")
    secret = _enable_mfa(client, mine["access_token"], clock)
    otp = rules.code_for(secret, clock.now())
    theirs = login(client, "carol", otp=otp)
    clock.advance(timedelta(seconds=30))
    body = {"password": USER_PASSWORD, "code": rules.code_for(secret, clock.now())}
    disabled = post_json(client, "/api/v1/auth/mfa/disable", body, mine["access_token"])
    assert disabled.status_code == 200, disabled.body
    assert not _works(client, theirs["access_token"])
    assert _refresh(client, theirs["refresh_token"]).status_code == 401
    assert _works(client, mine["access_token"])


def test_refreshing_never_carries_a_session_past_its_absolute_lifetime(
    client: Client, clock: FrozenClock
) -> None:
    # Given a session refreshed every 10 days (the refresh token lives 14, the session 30)
    register(client, "carol")
    tokens = login(client, "carol")
    started = clock.now()
    for _ in range(2):
        clock.advance(timedelta(days=10))
        response = _refresh(client, tokens["refresh_token"])
        assert response.status_code == 200
        tokens = response.json_body
    # When 9 more days pass: the refresh token itself is still fresh, the session is not
    clock.advance(timedelta(days=9, hours=23, minutes=50))
    last = _refresh(client, tokens["refresh_token"])
    assert last.status_code == 200
    # Then the access token it gives stops at the session's end (10 min, not 15)
    assert last.json_body["expires_in"] == 10 * 60
    clock.advance(timedelta(minutes=10))
    assert clock.now() - started == timedelta(days=30)
    # And the next refresh is refused: sign in again
    refused = _refresh(client, last.json_body["refresh_token"])
    assert refused.status_code == 401 and error_code(refused) == "session_expired"
