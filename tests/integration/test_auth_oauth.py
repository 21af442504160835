"""OAuth2 client credentials: admin-managed clients, the token endpoint, scoped access."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from chalice.test import Client

from tests.factories import auth_headers, error_code, post_form, post_json, send_json

CLIENTS = "/api/v1/oauth/clients"
TOKEN = "/api/v1/oauth/token"


def _create_client(client: Client, admin: str, scopes: list[str] | None = None) -> dict[str, Any]:
    body = {"name": "reporting robot", "scopes": scopes or ["resources:read", "reservations:read"]}
    response = post_json(client, CLIENTS, body, admin)
    assert response.status_code == 201, response.body
    created: dict[str, Any] = response.json_body
    return created


def _client_token(client: Client, app: dict[str, Any], scope: str | None = None) -> Any:
    fields = {
        "grant_type": "client_credentials",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    if scope is not None:
        fields["scope"] = scope
    return post_form(client, TOKEN, fields)


def test_admin_registers_a_client_and_sees_the_secret_once(
    client: Client, admin_token: str
) -> None:
    created = _create_client(client, admin_token)
    assert created["client_id"].startswith("rrc_")
    assert len(created["client_secret"]) >= 40
    listed = client.http.get(CLIENTS, headers=auth_headers(admin_token)).json_body
    assert [c["client_id"] for c in listed["items"]] == [created["client_id"]]
    assert "client_secret" not in listed["items"][0]
    assert created["client_secret"] not in str(listed)


def test_client_credentials_grant_issues_a_scoped_client_token(
    client: Client, admin_token: str
) -> None:
    app = _create_client(client, admin_token)
    response = _client_token(client, app)
    assert response.status_code == 200
    body = response.json_body
    assert body["token_type"] == "bearer"
    assert body["scope"] == "reservations:read resources:read"
    assert response.headers["Cache-Control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["typ"] == "client"
    assert claims["sub"] == app["client_id"]


def test_json_body_is_accepted_too(client: Client, admin_token: str) -> None:
    app = _create_client(client, admin_token)
    response = post_json(
        client,
        TOKEN,
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": "resources:read",
        },
    )
    assert response.status_code == 200
    assert response.json_body["scope"] == "resources:read"


def test_client_token_reaches_scoped_routes_only(client: Client, admin_token: str) -> None:
    # Given a client token with resources:read
    app = _create_client(client, admin_token)
    token = _client_token(client, app).json_body["access_token"]
    # When it calls a route declaring scope resources:read, Then it is let in as a client
    whoami = client.http.get("/api/v1/oauth/whoami", headers=auth_headers(token))
    assert whoami.status_code == 200
    assert whoami.json_body["is_client"] is True
    assert whoami.json_body["scopes"] == ["reservations:read", "resources:read"]
    # When it calls a user route without a scope, or an admin route, Then 403
    me = client.http.get("/api/v1/users/me", headers=auth_headers(token))
    assert me.status_code == 403
    assert error_code(me) == "client_not_allowed"
    assert client.http.get(CLIENTS, headers=auth_headers(token)).status_code == 403


def test_client_token_without_the_scope_is_refused(client: Client, admin_token: str) -> None:
    app = _create_client(client, admin_token, ["reservations:read"])
    token = _client_token(client, app).json_body["access_token"]
    response = client.http.get("/api/v1/oauth/whoami", headers=auth_headers(token))
    assert response.status_code == 403
    assert error_code(response) == "missing_scope"


def test_users_reach_whoami_too(client: Client, user_token: str) -> None:
    response = client.http.get("/api/v1/oauth/whoami", headers=auth_headers(user_token))
    assert response.json_body["is_client"] is False


def test_deleting_a_client_revokes_its_tokens(client: Client, admin_token: str) -> None:
    app = _create_client(client, admin_token)
    token = _client_token(client, app).json_body["access_token"]
    deleted = send_json(client, "DELETE", f"{CLIENTS}/{app['client_id']}", None, admin_token)
    assert deleted.status_code == 204
    refused = client.http.get("/api/v1/oauth/whoami", headers=auth_headers(token))
    assert refused.status_code == 401
    assert _client_token(client, app).status_code == 401
    again = send_json(client, "DELETE", f"{CLIENTS}/{app['client_id']}", None, admin_token)
    assert again.status_code == 404


def test_bad_grants_get_oauth_style_errors(client: Client, admin_token: str) -> None:
    app = _create_client(client, admin_token)
    unsupported = post_form(
        client,
        TOKEN,
        {"grant_type": "password", "client_id": app["client_id"], "client_secret": "x"},
    )
    assert unsupported.status_code == 400
    assert unsupported.json_body["error"]["details"]["error"] == "unsupported_grant_type"
    wrong_secret = _client_token(client, {**app, "client_secret": "guess"})
    assert wrong_secret.status_code == 401
    assert error_code(wrong_secret) == "invalid_client"
    unknown = _client_token(client, {**app, "client_id": "rrc_nobody"})
    assert error_code(unknown) == "invalid_client"
    too_wide = _client_token(client, app, scope="reservations:write")
    assert too_wide.status_code == 400
    assert error_code(too_wide) == "invalid_scope"
    missing = post_form(client, TOKEN, {"grant_type": "client_credentials"})
    assert missing.status_code == 422


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "scopes": ["root"]}, "invalid_scope"),
        ({"name": "x", "scopes": []}, "validation_error"),
        ({"name": "", "scopes": ["resources:read"]}, "validation_error"),
        ({"scopes": ["resources:read"]}, "validation_error"),
        ({"name": "x", "scopes": "resources:read"}, "validation_error"),
    ],
)
def test_client_registration_validates_its_body(
    client: Client, admin_token: str, body: dict[str, object], code: str
) -> None:
    response = post_json(client, CLIENTS, body, admin_token)
    assert response.status_code == 422
    assert error_code(response) == code


def test_client_management_is_for_admins(client: Client, user_token: str) -> None:
    body = {"name": "x", "scopes": ["resources:read"]}
    assert post_json(client, CLIENTS, body).status_code == 401
    assert post_json(client, CLIENTS, body, user_token).status_code == 403
    assert client.http.get(CLIENTS, headers=auth_headers(user_token)).status_code == 403
    assert send_json(client, "DELETE", f"{CLIENTS}/rrc_x", None, user_token).status_code == 403
