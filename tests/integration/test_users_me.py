"""GET/PATCH /api/v1/users/me and POST /api/v1/users/me/password."""

from __future__ import annotations

import pytest
from chalice.test import Client

from tests.factories import (
    USER_PASSWORD,
    auth_headers,
    error_code,
    post_json,
    send_json,
)

ME = "/api/v1/users/me"


def test_me_needs_a_token(client: Client) -> None:
    response = client.http.get(ME)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_me_returns_my_profile(client: Client, user_token: str) -> None:
    body = client.http.get(ME, headers=auth_headers(user_token)).json_body
    assert body["username"] == "alice"
    assert set(body) >= {
        "id",
        "username",
        "email",
        "roles",
        "is_admin",
        "mfa_enabled",
        "email_notifications",
        "reminder_hours",
        "timezone",
        "created_at",
    }
    assert body["created_at"].endswith("Z")


def test_each_user_sees_only_their_own_profile(
    client: Client, user_token: str, other_user_token: str
) -> None:
    alice = client.http.get(ME, headers=auth_headers(user_token)).json_body
    bob = client.http.get(ME, headers=auth_headers(other_user_token)).json_body
    assert (alice["username"], bob["username"]) == ("alice", "bob")


def test_patch_me_updates_only_what_is_sent(client: Client, user_token: str) -> None:
    # When alice sets her email, reminders and time zone
    response = send_json(
        client,
        "PATCH",
        ME,
        {"email": "alice@example.com", "reminder_hours": 2, "timezone": "Europe/Paris"},
        user_token,
    )
    # Then those change and the rest stays
    assert response.status_code == 200
    body = response.json_body
    assert (body["email"], body["reminder_hours"], body["timezone"]) == (
        "alice@example.com",
        2,
        "Europe/Paris",
    )
    assert body["email_notifications"] is True
    # And email null removes the address
    cleared = send_json(client, "PATCH", ME, {"email": None}, user_token).json_body
    assert cleared["email"] is None
    assert cleared["timezone"] == "Europe/Paris"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reminder_hours": 169}, "invalid_reminder_hours"),
        ({"reminder_hours": -1}, "invalid_reminder_hours"),
        ({"timezone": "Mars/Base"}, "invalid_timezone"),
        ({"email": "not-an-email"}, "invalid_email"),
        ({"email_notifications": "maybe"}, "validation_error"),
        ({"roles": ["admin"]}, "validation_error"),
        ({}, "validation_error"),
    ],
)
def test_patch_me_refuses_bad_values(
    client: Client, user_token: str, body: dict[str, object], code: str
) -> None:
    response = send_json(client, "PATCH", ME, body, user_token)
    assert response.status_code == 422
    assert error_code(response) == code


def test_patch_me_needs_a_token(client: Client) -> None:
    assert send_json(client, "PATCH", ME, {"reminder_hours": 1}).status_code == 401


def test_password_change_checks_the_current_password(client: Client, user_token: str) -> None:
    path = f"{ME}/password"
    wrong = post_json(
        client,
        path,
        {"current_password": "Not-the-password-1", "new_password": "Another-pass-9"},
        user_token,
    )
    assert wrong.status_code == 401
    assert error_code(wrong) == "invalid_credentials"
    weak = post_json(
        client, path, {"current_password": USER_PASSWORD, "new_password": "short"}, user_token
    )
    assert error_code(weak) == "weak_password"
    same = post_json(
        client, path, {"current_password": USER_PASSWORD, "new_password": USER_PASSWORD}, user_token
    )
    assert same.status_code == 422
    assert post_json(client, path, {"new_password": "x"}, user_token).status_code == 422
    assert (
        post_json(client, path, {"current_password": "a", "new_password": "b"}).status_code == 401
    )
