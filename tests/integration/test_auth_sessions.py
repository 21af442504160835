"""Refresh rotation and reuse detection, logout, and everything that revokes tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import (
    USER_PASSWORD,
    auth_headers,
    error_code,
    login,
    post_json,
    register,
    send_json,
    setup_admin,
    user_id_of,
)

ME = "/api/v1/users/me"


def _refresh(client: Client, refresh_token: str) -> Any:
    return post_json(client, "/api/v1/token/refresh", {"refresh_token": refresh_token})


def test_refresh_rotates_the_token(client: Client, clock: FrozenClock) -> None:
    # Given a signed-in user
    register(client, "carol")
    first = login(client, "carol")
    clock.advance(timedelta(minutes=1))
    # When the refresh token is exchanged
    response = _refresh(client, first["refresh_token"])
    # Then a new pair comes back, and the new access token works
    assert response.status_code == 200
    second = response.json_body
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert client.http.get(ME, headers=auth_headers(second["access_token"])).status_code == 200
    # And the new refresh token rotates again
    assert _refresh(client, second["refresh_token"]).status_code == 200


def test_reusing_a_refresh_token_revokes_the_whole_family(client: Client) -> None:
    # Given a token that was rotated once
    register(client, "carol")
    first = login(client, "carol")
    second = _refresh(client, first["refresh_token"]).json_body
    # When the old token is presented again (a thief, or a replay)
    reused = _refresh(client, first["refresh_token"])
    # Then it is refused as reuse, and the legitimate successor is dead too
    assert reused.status_code == 401
    assert error_code(reused) == "refresh_token_reused"
    successor = _refresh(client, second["refresh_token"])
    assert successor.status_code == 401


def test_reuse_leaves_other_sessions_alive(client: Client) -> None:
    register(client, "carol")
    laptop = login(client, "carol")
    phone = login(client, "carol")
    _refresh(client, laptop["refresh_token"])
    _refresh(client, laptop["refresh_token"])  # reuse: laptop family revoked
    assert _refresh(client, phone["refresh_token"]).status_code == 200


def test_unknown_and_expired_refresh_tokens_are_refused(client: Client, clock: FrozenClock) -> None:
    register(client, "carol")
    tokens = login(client, "carol")
    unknown = _refresh(client, "not-a-token")
    assert unknown.status_code == 401
    assert error_code(unknown) == "invalid_refresh_token"
    # TTL never fires locally: the reader must check expiry itself
    clock.advance(timedelta(days=15))
    expired = _refresh(client, tokens["refresh_token"])
    assert expired.status_code == 401
    assert error_code(expired) == "refresh_token_expired"


def test_refresh_token_in_the_query_string_is_not_accepted(client: Client) -> None:
    register(client, "carol")
    tokens = login(client, "carol")
    response = client.http.post(
        f"/api/v1/token/refresh?refresh_token={tokens['refresh_token']}",
        headers={"Content-Type": "application/json"},
        body=b"{}",
    )
    assert response.status_code == 422


def test_refresh_refuses_bad_bodies(client: Client) -> None:
    assert _refresh(client, "").status_code == 422
    wrong_type = post_json(client, "/api/v1/token/refresh", {"refresh_token": 42})
    assert wrong_type.status_code == 422


def test_logout_refuses_the_old_access_token_and_its_refresh(client: Client) -> None:
    # Given a signed-in user
    register(client, "carol")
    tokens = login(client, "carol")
    # When they log out with their refresh token
    out = post_json(
        client, "/api/v1/logout", {"refresh_token": tokens["refresh_token"]}, tokens["access_token"]
    )
    assert out.status_code == 200
    # Then the access token is refused, and so is the refresh token
    after = client.http.get(ME, headers=auth_headers(tokens["access_token"]))
    assert after.status_code == 401
    assert error_code(after) == "token_revoked"
    assert _refresh(client, tokens["refresh_token"]).status_code == 401


def test_logout_without_a_refresh_token_ends_every_session(client: Client) -> None:
    register(client, "carol")
    one, two = login(client, "carol"), login(client, "carol")
    assert post_json(client, "/api/v1/logout", {}, one["access_token"]).status_code == 200
    assert _refresh(client, one["refresh_token"]).status_code == 401
    assert _refresh(client, two["refresh_token"]).status_code == 401
    # And the other session's access token dies with its session (finding 11)
    assert client.http.get(ME, headers=auth_headers(two["access_token"])).status_code == 401


def test_logout_needs_a_token(client: Client) -> None:
    response = post_json(client, "/api/v1/logout", {})
    assert response.status_code == 401


def test_changing_the_password_revokes_every_token(client: Client) -> None:
    # Given two sessions
    register(client, "carol")
    one, two = login(client, "carol"), login(client, "carol")
    # When the password is changed in one of them
    response = post_json(
        client,
        "/api/v1/users/me/password",
        {"current_password": USER_PASSWORD, "new_password": "Brand-new-pass-2"},
        one["access_token"],
    )
    assert response.status_code == 200
    # Then both access tokens and both refresh tokens stop working
    for pair in (one, two):
        refused = client.http.get(ME, headers=auth_headers(pair["access_token"]))
        assert error_code(refused) == "token_revoked"
        assert _refresh(client, pair["refresh_token"]).status_code == 401
    # And the new password signs in, the old does not
    assert login(client, "carol", "Brand-new-pass-2")["access_token"]
    old = post_json(client, "/api/v1/token", {"username": "carol", "password": USER_PASSWORD})
    assert old.status_code == 401


def test_admin_password_reset_revokes_the_users_tokens(client: Client) -> None:
    # Given an admin and a signed-in user
    admin = setup_admin(client)
    register(client, "carol")
    tokens = login(client, "carol")
    # When the admin resets the user's password by username
    response = post_json(
        client,
        "/api/v1/auth/admin/reset-password",
        {"username": "carol", "new_password": "Reset-by-admin-3"},
        admin,
    )
    assert response.status_code == 200
    # Then the user's tokens are dead and the new password works
    assert client.http.get(ME, headers=auth_headers(tokens["access_token"])).status_code == 401
    assert _refresh(client, tokens["refresh_token"]).status_code == 401
    assert login(client, "carol", "Reset-by-admin-3")["access_token"]


def test_admin_reset_by_user_id_and_who_may_call_it(client: Client) -> None:
    admin = setup_admin(client)
    register(client, "carol")
    carol = login(client, "carol")["access_token"]
    body = {"user_id": user_id_of(client, carol), "new_password": "Reset-by-admin-3"}
    path = "/api/v1/auth/admin/reset-password"
    assert post_json(client, path, body).status_code == 401
    assert post_json(client, path, body, carol).status_code == 403
    assert post_json(client, path, body, admin).status_code == 200
    missing = post_json(client, path, {"new_password": "Reset-by-admin-3"}, admin)
    assert missing.status_code == 422
    unknown = post_json(client, path, {"user_id": "nope", "new_password": "Reset-admin-3"}, admin)
    assert unknown.status_code == 404


def test_expired_access_token_is_refused(client: Client, clock: FrozenClock) -> None:
    register(client, "carol")
    tokens = login(client, "carol")
    clock.advance(timedelta(minutes=16))
    response = client.http.get(ME, headers=auth_headers(tokens["access_token"]))
    assert response.status_code == 401
    assert error_code(response) == "token_expired"


def test_tampered_and_malformed_bearers_are_refused(client: Client) -> None:
    register(client, "carol")
    token = login(client, "carol")["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["roles"] = ["admin"]
    forged = jwt.encode(claims, "guessed-secret-guessed-secret-guessed", algorithm="HS256")
    for header in (f"Bearer {forged}", "Bearer abc.def.ghi", f"Basic {token}", "Bearer "):
        response = client.http.get(ME, headers={"Authorization": header})
        assert response.status_code == 401, header


def test_access_token_claims(client: Client) -> None:
    register(client, "carol")
    token = login(client, "carol")["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["typ"] == "access"
    assert claims["username"] == "carol"
    assert claims["roles"] == ["user"]
    assert claims["tv"] == 0
    assert len(claims["jti"]) == 26  # a ULID
    assert claims["exp"] - claims["iat"] == 15 * 60


def test_disabled_user_cannot_use_tokens_or_sign_in(client: Client) -> None:
    admin = setup_admin(client)
    register(client, "carol")
    tokens = login(client, "carol")
    carol_id = user_id_of(client, tokens["access_token"])
    # When the admin disables the account
    disabled = send_json(client, "POST", f"/api/v1/admin/users/{carol_id}/disable", None, admin)
    assert disabled.status_code == 200
    assert disabled.json_body["disabled"] is True
    # Then the tokens are refused and signing in says the account is disabled
    assert client.http.get(ME, headers=auth_headers(tokens["access_token"])).status_code == 401
    assert _refresh(client, tokens["refresh_token"]).status_code == 401
    refused = post_json(client, "/api/v1/token", {"username": "carol", "password": USER_PASSWORD})
    assert refused.status_code == 403
    assert error_code(refused) == "account_disabled"
    # And enabling restores sign-in
    send_json(client, "POST", f"/api/v1/admin/users/{carol_id}/enable", None, admin)
    assert login(client, "carol")["access_token"]
