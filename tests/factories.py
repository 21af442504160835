"""Shared test factories: accounts and tokens made through the real API.

Kept free of pytest so any test module (or a script) can import it.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Sup3r-secret-pass"
USER_PASSWORD = "User-password-1"
JSON_HEADERS = {"Content-Type": "application/json"}


def auth_headers(token: str) -> dict[str, str]:
    """Headers for an authenticated JSON request."""
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def post_json(client: Client, path: str, body: Any, token: str | None = None) -> Any:
    headers = auth_headers(token) if token else dict(JSON_HEADERS)
    return client.http.post(path, headers=headers, body=json.dumps(body))


def register(
    client: Client,
    username: str,
    password: str = USER_PASSWORD,
    email: str | None = None,
    *,
    verified: bool = True,
) -> dict[str, Any]:
    """Register through the API; returns the profile. Fails the test if refused.

    An address is marked verified through the store (as if its link had been followed), so
    mail reaches it; `verified=False` leaves it as registration does (no mail until the link
    is confirmed; see tests/integration/test_email_verification.py).
    """
    body: dict[str, Any] = {"username": username, "password": password}
    if email is not None:
        body["email"] = email
    response = post_json(client, "/api/v1/register", body)
    assert response.status_code == 201, response.body
    profile: dict[str, Any] = response.json_body
    if email is not None and verified:
        verify_email_of(str(profile["id"]))
        profile["email_verified"] = True
    return profile


def verify_email_of(user_id: str) -> None:
    """Mark a user's current address verified directly in the store (this process's table)."""
    from chalicelib.store.accounts.email_verification import UserEmailStore

    UserEmailStore().mark_verified(user_id)


def login(
    client: Client, username: str, password: str = USER_PASSWORD, otp: str | None = None
) -> dict[str, Any]:
    """Sign in; returns the token response (access_token, refresh_token, ...)."""
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    response = post_json(client, "/api/v1/token", body)
    assert response.status_code == 200, response.body
    tokens: dict[str, Any] = response.json_body
    return tokens


def register_and_login(client: Client, username: str, password: str = USER_PASSWORD) -> str:
    """A new user with role `user`; returns their access token."""
    register(client, username, password)
    return str(login(client, username, password)["access_token"])


def issue_setup_token() -> str:
    """The one-time setup token, issued as `make run` does (in this process's moto table)."""
    from chalicelib import wiring

    return wiring.accounts().issue_setup_token()


def setup_admin(
    client: Client,
    username: str = ADMIN_USERNAME,
    password: str = ADMIN_PASSWORD,
    setup_token: str | None = None,
) -> str:
    """Run first-run setup through the API and sign the admin in; returns the access token."""
    body = {
        "username": username,
        "password": password,
        "setup_token": setup_token or issue_setup_token(),
    }
    response = post_json(client, "/api/v1/setup/initialize", body)
    assert response.status_code == 201, response.body
    return str(login(client, username, password)["access_token"])


def user_id_of(client: Client, token: str) -> str:
    response = client.http.get("/api/v1/users/me", headers=auth_headers(token))
    assert response.status_code == 200, response.body
    return str(response.json_body["id"])


def send_json(
    client: Client, method: str, path: str, body: Any = None, token: str | None = None
) -> Any:
    """Any method with a JSON body (or none); `token` adds the bearer header."""
    headers = auth_headers(token) if token else dict(JSON_HEADERS)
    raw = b"" if body is None else json.dumps(body).encode()
    return client.http.request(method, path, headers=headers, body=raw)


def post_form(client: Client, path: str, fields: dict[str, str]) -> Any:
    from urllib.parse import urlencode

    return client.http.post(
        path,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode(fields),
    )


def error_code(response: Any) -> str:
    return str(response.json_body["error"]["code"])
