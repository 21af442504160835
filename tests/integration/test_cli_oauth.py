"""`rr oauth` against a real HTTP API: register a code-flow client, print an authorize URL with
a PKCE verifier, exchange the code the consent gave, introspect, refresh, revoke."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.integration.cli_helpers import admin, new_user

REDIRECT = "http://127.0.0.1:8765/callback"


def test_the_code_flow_by_hand(cli_api: str, tmp_path: Path) -> None:
    # Given an admin registers a confidential code-flow client
    rr_admin = admin(cli_api, tmp_path)
    app = rr_admin.json(
        "oauth", "clients", "create", "Sync", "--scope", "resources:read",
        "--grant", "authorization_code", "--grant", "refresh_token",
        "--redirect-uri", REDIRECT,
    )  # fmt: skip
    assert app["grant_types"] == ["authorization_code", "refresh_token"]
    assert any(
        c["client_id"] == app["client_id"] for c in rr_admin.json("oauth", "clients", "list")
    )
    client = ["--client-id", app["client_id"], "--stdin"]
    secret = app["client_secret"]
    # When a user asks for an authorize URL, it carries an S256 challenge, and a verifier
    rr, _ = new_user(cli_api, tmp_path)
    started = rr.json(
        "oauth", "authorize-url", "--client-id", app["client_id"],
        "--redirect-uri", REDIRECT, "--scope", "resources:read",
    )  # fmt: skip
    query = {k: v[0] for k, v in parse_qs(urlsplit(started["authorize_url"]).query).items()}
    assert query["code_challenge_method"] == "S256" and query["state"] == started["state"]
    # And approves on the consent screen (its API, with the user's session)
    token = rr.credentials_file()["access_token"]
    answer = httpx.post(
        f"{cli_api}/api/v1/oauth/consent",
        json={"request": query, "approve": True},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    code = parse_qs(urlsplit(answer.json()["redirect_to"]).query)["code"][0]
    # Then the code and verifier buy tokens, which introspect as active
    lines = f"{code}\n{started['code_verifier']}\n{secret}\n"
    issued = rr.json("oauth", "exchange", *client, "--redirect-uri", REDIRECT, input=lines)
    facts = rr.json("oauth", "introspect", *client, input=f"{issued['access_token']}\n{secret}\n")
    assert facts["active"] is True and facts["scope"] == "resources:read"
    # And the refresh token rotates; revoking the new one ends the grant
    rotated = rr.json("oauth", "refresh", *client, input=f"{issued['refresh_token']}\n{secret}\n")
    assert rotated["refresh_token"] != issued["refresh_token"]
    revoked = rr.ok("oauth", "revoke", *client, input=f"{rotated['refresh_token']}\n{secret}\n")
    assert "Revoked" in revoked.stdout
    gone = rr.json("oauth", "introspect", *client, input=f"{rotated['access_token']}\n{secret}\n")
    assert gone == {"active": False}
    # And a reused code is refused in words; no command takes a secret as an argument
    again = rr.fails("oauth", "exchange", *client, "--redirect-uri", REDIRECT, input=lines)
    assert "invalid_grant" in again.stdout + again.stderr
    for command in ("exchange", "refresh", "revoke", "introspect"):
        text = rr.ok("oauth", command, "--help").stdout
        assert not re.search(r"--(client-secret|code|verifier|token)\b", text), text
