"""Admin > OAuth clients in the web app (issue 14): register a public app for the code flow
with its redirect URI (no secret shown: PKCE only), see it listed with its grants and URI,
then give it a custom role and take it back in its Roles dialog. Checked through the API."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import ApiClient, Site, admin_area, unique

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

REDIRECT = "http://127.0.0.1:8765/callback"


def _client_named(api: ApiClient, token: str, name: str) -> dict[str, Any]:
    page = api.call("GET", "/api/v1/oauth/clients?limit=100", token)
    [found] = [c for c in page["items"] if c["name"] == name]
    return dict(found)


def test_an_admin_registers_a_code_flow_app_and_gives_it_a_role(
    browser: Browser, site: Site, api: ApiClient, admin_api_token: str
) -> None:
    name, role = unique("Calendar app"), unique("syncers").lower()
    api.call(
        "POST",
        "/api/v1/roles",
        admin_api_token,
        json={"name": role, "description": "Sync", "scopes": ["reservations:read"]},
    )
    admin, panel, console = admin_area(browser, site, api, "OAuth clients")
    form = panel.get_by_role("form", name="Register a client")
    # The redirect URIs are asked for only when the kind signs people in
    expect(form.get_by_label("Redirect URIs")).to_be_hidden()
    form.get_by_label("Name").fill(name)
    form.get_by_label("Kind").select_option("public-app")
    form.get_by_label("Redirect URIs").fill(REDIRECT)
    form.get_by_role("button", name="Register client").click()
    row = panel.locator("li.row-item", has_text=name)
    expect(row).to_contain_text("authorization_code")
    expect(row).to_contain_text(REDIRECT)
    stored = _client_named(api, admin_api_token, name)
    assert stored["public"] is True and stored["redirect_uris"] == [REDIRECT]
    # When the admin gives it the custom role in its Roles dialog
    row.get_by_role("button", name=f"Custom roles of client {name}").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Custom role").select_option(role)
    dialog.get_by_role("button", name="Give role").click()
    expect(dialog.get_by_role("status")).to_contain_text(f"Roles now: {role}")
    assert api.call("GET", f"/api/v1/roles/{role}", admin_api_token)["holders"] == 1
    # And takes it back
    dialog.get_by_role("button", name="Take role").click()
    expect(dialog.get_by_role("status")).to_contain_text("Roles now: none")
    assert api.call("GET", f"/api/v1/roles/{role}", admin_api_token)["holders"] == 0
    assert console.errors == []
