"""OAuth2 code-flow helpers for tests: register a code-flow client, make a PKCE pair, walk a
user through authorize -> consent -> token (in-process, over the Chalice test client)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from chalice.test import Client

from tests.factories import post_form, post_json

REDIRECT = "http://127.0.0.1:8765/callback"
SCOPES = ["reservations:read", "resources:read", "resources:write"]


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str


def pkce() -> Pkce:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return Pkce(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


def code_client(
    client: Client, admin: str, *, public: bool = False, scopes: list[str] | None = None
) -> dict[str, Any]:
    body = {
        "name": "Calendar Sync",
        "scopes": scopes or SCOPES,
        "redirect_uris": [REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "public": public,
    }
    response = post_json(client, "/api/v1/oauth/clients", body, admin)
    assert response.status_code == 201, response.body
    created: dict[str, Any] = response.json_body
    return created


def authorize_params(app: dict[str, Any], challenge: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": REDIRECT,
        "scope": "reservations:read resources:read",
        "state": "xyz-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return params


def authorize(client: Client, params: dict[str, str]) -> Any:
    return client.http.get("/api/v1/oauth/authorize?" + urlencode(params))


def consent(client: Client, user: str, params: dict[str, str], *, approve: bool = True) -> Any:
    return post_json(client, "/api/v1/oauth/consent", {"request": params, "approve": approve}, user)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def approved_code(client: Client, user: str, params: dict[str, str]) -> str:
    response = consent(client, user, params)
    assert response.status_code == 200, response.body
    return query_of(response.json_body["redirect_to"])["code"]


def exchange(client: Client, app: dict[str, Any], code: str, verifier: str, **extra: str) -> Any:
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_id": app["client_id"],
    }
    if app.get("client_secret"):
        fields["client_secret"] = app["client_secret"]
    fields.update(extra)
    return post_form(client, "/api/v1/oauth/token", fields)


def refresh(client: Client, app: dict[str, Any], token: str) -> Any:
    fields = {"grant_type": "refresh_token", "refresh_token": token, "client_id": app["client_id"]}
    if app.get("client_secret"):
        fields["client_secret"] = app["client_secret"]
    return post_form(client, "/api/v1/oauth/token", fields)


def probe(client: Client, app: dict[str, Any], path: str, token: str) -> Any:
    fields = {"token": token, "client_id": app["client_id"]}
    if app.get("client_secret"):
        fields["client_secret"] = app["client_secret"]
    return post_form(client, path, fields)


def tokens_for(client: Client, admin: str, user: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A confidential code-flow client and the token response of one full flow."""
    app = code_client(client, admin)
    pair = pkce()
    code = approved_code(client, user, authorize_params(app, pair.challenge))
    response = exchange(client, app, code, pair.verifier)
    assert response.status_code == 200, response.body
    body: dict[str, Any] = response.json_body
    return app, body
