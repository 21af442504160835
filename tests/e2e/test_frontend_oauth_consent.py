"""The whole OAuth2 authorization code + PKCE flow in a real browser (issue 14): a third-party
app with a loopback redirect URI (a tiny HTTP server in this test) sends the browser to
/oauth/authorize; the person signs in on the web app, sees the consent screen (client name,
scopes, axe-clean), approves; the app receives the code and state, exchanges the code with its
verifier, and calls the API with the token. Denying sends access_denied instead."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    new_page,
    screenshot,
    sign_in,
    unique,
)
from tests.e2e.helpers import eventually
from tests.e2e.test_frontend_a11y import check

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SCOPES = "reservations:read resources:read"


@dataclass
class Callback:
    """The app's redirect URI: a loopback HTTP server that keeps what it was sent."""

    url: str = ""
    received: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def callback() -> Iterator[Callback]:
    seen = Callback()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/callback":  # not the browser's /favicon.ico
                seen.received.append({k: v[0] for k, v in parse_qs(url.query).items()})
            body = b"<!doctype html><title>Sync app</title><p>Back in the app.</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    seen.url = f"http://127.0.0.1:{server.server_address[1]}/callback"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _register_app(api: ApiClient, admin: str, redirect: str) -> dict[str, Any]:
    body = {
        "name": "Sync App",
        "scopes": ["reservations:read", "resources:read"],
        "redirect_uris": [redirect],
        "grant_types": ["authorization_code", "refresh_token"],
    }
    created: dict[str, Any] = api.call("POST", "/api/v1/oauth/clients", admin, json=body)
    return created


def _authorize_url(site: Site, app: dict[str, Any], redirect: str, challenge: str) -> str:
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": redirect,
        "scope": SCOPES,
        "state": "st-" + secrets.token_hex(4),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{site.api}/api/v1/oauth/authorize?{urlencode(query)}"


def test_a_person_approves_an_app_which_then_calls_the_api(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str, callback: Callback
) -> None:
    # Given a registered app with a loopback redirect URI, and a person with an account
    app = _register_app(api, admin_api_token, callback.url)
    username = unique("oauth")
    api.register(username)
    verifier, challenge = _pkce()
    authorize = _authorize_url(site, app, callback.url, challenge)
    # When the app sends the browser to the authorize endpoint
    page, console = new_page(browser, site)
    page.goto(authorize)
    # Then the web app asks the person to sign in, then shows the consent screen
    sign_in(page, username, USER_PASSWORD)
    consent = page.get_by_role("region", name="Allow access?")
    expect(consent).to_be_visible()
    expect(consent.locator(".consent-client")).to_have_text("Sync App")
    expect(consent.locator(".consent-scopes li")).to_have_count(2)
    expect(consent).to_contain_text("See your reservations")
    screenshot(page, "90-oauth-consent")
    check(page, "oauth-consent")
    # When they allow it
    consent.get_by_role("button", name="Allow").click()
    # Then the browser lands on the app's redirect URI with a code and the same state
    eventually(lambda: len(callback.received) == 1, timeout=15.0)
    landed = callback.received[0]
    assert landed["state"] == parse_qs(urlsplit(authorize).query)["state"][0]
    assert "code" in landed and "error" not in landed
    expect(page.get_by_text("Back in the app.")).to_be_visible()
    # And the app trades the code (with its verifier) for tokens and calls the API as the person
    tokens = httpx.post(
        f"{site.api}/api/v1/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": landed["code"],
            "redirect_uri": callback.url,
            "code_verifier": verifier,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
        timeout=10.0,
    )
    assert tokens.status_code == 200, tokens.text
    me = httpx.get(
        f"{site.api}/api/v1/oauth/whoami",
        headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
        timeout=10.0,
    )
    assert me.status_code == 200, me.text
    assert me.json()["name"] == username
    assert me.json()["scopes"] == ["reservations:read", "resources:read"]
    assert not console.errors, console.errors


def test_a_person_who_denies_sends_the_app_access_denied(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str, callback: Callback
) -> None:
    app = _register_app(api, admin_api_token, callback.url)
    username = unique("oauth")
    api.register(username)
    _, challenge = _pkce()
    page, _ = new_page(browser, site)
    page.goto(_authorize_url(site, app, callback.url, challenge))
    sign_in(page, username, USER_PASSWORD)
    page.get_by_role("region", name="Allow access?").get_by_role("button", name="Deny").click()
    eventually(lambda: len(callback.received) == 1, timeout=15.0)
    assert callback.received[0]["error"] == "access_denied"
    assert "code" not in callback.received[0]
