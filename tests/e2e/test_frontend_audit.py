"""The admin's audit log viewer (filters, entity history, CSV and JSON export as downloads)
and the OAuth clients screen (secret shown once, list, delete)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    ApiClient,
    Site,
    expect_dashboard,
    new_page,
    screenshot,
    sign_in,
    unique,
)
from tests.e2e.helpers import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT = 30.0


def _admin_area(page: Page, area: str) -> None:
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Admin").click()
    page.get_by_role("tab", name=area).click()


def test_the_audit_log_filters_shows_an_entitys_history_and_exports(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str, tmp_path: Path
) -> None:
    # Given a resource created then renamed (the audit worker records both, asynchronously)
    room = api.create_resource(admin_api_token, unique("Audited room"))
    rid = room["resource_id"]
    api.call("PATCH", f"/api/v1/resources/{rid}", admin_api_token, json={"name": unique("Renamed")})
    history = f"/api/v1/audit/entity/resource/{rid}"
    eventually(lambda: len(api.call("GET", history, admin_api_token)["items"]) >= 2, WAIT)
    actions = [e["action"] for e in api.call("GET", history, admin_api_token)["items"]]
    assert actions[0] == "updated" and actions[-1] == "created", actions
    # When the admin filters the audit log by that entity
    page, console = new_page(browser, site)
    _admin_area(page, "Audit log")
    filters = page.get_by_role("form", name="Audit log filters")
    filters.get_by_label("Entity type").fill("resource")
    filters.get_by_label("Entity id").fill(rid)
    filters.get_by_role("button", name="Apply").click()
    # Then only its entries are listed, newest first, with what changed
    table = page.get_by_role("table", name="Audit entries, newest first")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(actions))
    expect(rows.nth(0)).to_contain_text("updated")
    expect(rows.nth(0)).to_contain_text("name")
    expect(rows.last).to_contain_text("created")
    screenshot(page, "54-admin-audit")
    # When they open the entity's history, Then both entries are there too
    rows.first.get_by_role("button", name=f"History of resource {rid}").click()
    dialog = page.get_by_role("dialog", name=f"History of resource {rid}")
    expect(dialog.locator("tbody tr")).to_have_count(len(actions))
    dialog.get_by_role("button", name="Close").click()
    # When they export as CSV and as JSON, Then the files hold the same entries
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Export CSV").click()
    csv_file = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_file)
    assert csv_file.suffix == ".csv"
    records = list(csv.DictReader(csv_file.read_text(encoding="utf-8").splitlines()))
    assert sorted(r["action"] for r in records) == sorted(actions)
    assert {r["entity_id"] for r in records} == {rid}
    with page.expect_download() as json_download:
        page.get_by_role("button", name="Export JSON").click()
    json_file = tmp_path / json_download.value.suggested_filename
    json_download.value.save_as(json_file)
    exported = json.loads(json_file.read_text(encoding="utf-8"))
    entries = exported if isinstance(exported, list) else exported.get("items", exported)
    assert sorted(e["action"] for e in entries) == sorted(actions)
    # And a window that ends before it starts is refused in words
    filters.get_by_label("Since").fill("2026-11-25T10:00")
    filters.get_by_label("Until").fill("2026-11-25T09:00")
    filters.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert").filter(has_text="must be after")).to_be_visible()
    assert console.errors == []
    page.context.close()


def test_an_admin_registers_and_deletes_an_oauth_client(
    site: Site, browser: Browser, api: ApiClient
) -> None:
    page, console = new_page(browser, site)
    _admin_area(page, "OAuth clients")
    # When the admin registers a client with two scopes
    name = unique("Room display")
    form = page.get_by_role("form", name="Register a client")
    form.get_by_label("Name").fill(name)
    form.get_by_label("reservations:read").uncheck()
    form.get_by_label("reservations:write").check()
    form.get_by_role("button", name="Register client").click()
    # Then its secret is shown once, and it works at the token endpoint
    shown = page.get_by_role("dialog", name=f"Client {name} registered")
    secret = shown.get_by_label("Client secret").input_value()
    screenshot(page, "55-admin-oauth-secret-once")
    shown.get_by_role("button", name="Done").click()
    row = page.locator("li.row-item", has_text=name)
    client_id = row.get_attribute("data-client-id")
    expect(row).to_contain_text("resources:read")
    expect(row).to_contain_text("reservations:write")
    screenshot(page, "56-admin-oauth")
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    token = api.http.post("/api/v1/oauth/token", json=body)
    assert token.status_code == 200, token.text
    # When they delete it (confirmed), Then it is gone and its secret no longer works
    row.get_by_role("button", name=f"Delete client {name}").click()
    page.get_by_role("dialog", name=f"Delete client {name}").get_by_role(
        "button", name="Delete"
    ).click()
    expect(row).to_have_count(0)
    assert api.http.post("/api/v1/oauth/token", json=body).status_code >= 400
    assert console.errors == []
    page.context.close()
