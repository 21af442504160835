"""The Admin tab in the browser: resources (create, disable, maintenance, hours, blackouts,
CSV import) and users. Each change is checked through the API as well."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    USER_PASSWORD,
    ApiClient,
    Site,
    browser_today,
    expect_dashboard,
    new_page,
    screenshot,
    settled,
    sign_in,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_admin_creates_a_resource_in_the_admin_tab(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given the administrator signed in
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Admin").click()
    # When they create a resource through the form
    name = unique("Van") + " <b>x</b>"
    page.get_by_role("button", name="New resource").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Tags").fill("vehicle, e2e")
    dialog.get_by_label("Capacity").fill("3")
    dialog.get_by_role("button", name="Create resource").click()
    # Then it is listed, and text from the API is shown as text, never as markup
    row = page.locator("li.row-item", has_text=name)
    expect(row).to_be_visible()
    assert page.locator("li.row-item b").count() == 0
    screenshot(page, "09-admin")
    # When they disable it, its status follows
    row.get_by_role("button", name=f"Disable {name}").click()
    expect(page.locator("li.row-item", has_text=name)).to_contain_text("disabled")
    page.get_by_role("tab", name="Users and roles").click()
    # Other suites register many users: find the admin by name, not on the first page
    page.get_by_label("Username starts with").fill(ADMIN_USERNAME)
    expect(page.locator("li.row-item", has_text=ADMIN_USERNAME)).to_be_visible()
    screenshot(page, "10-admin-users")
    assert console.errors == []
    page.context.close()


def _admin_on_resources_tab(browser: Browser, site: Site, name: str) -> tuple[Page, Any]:
    """The administrator signed in, on Admin > Resources, filtered down to `name`."""
    page, _ = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Admin").click()
    page.get_by_label("Filter by name").fill(name)
    settled(page)
    row = page.locator("li.row-item", has_text=name)
    expect(row).to_have_count(1)
    return page, row


def test_admin_maintenance_hours_and_blackouts(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a resource, and the administrator on its row in the Admin tab
    lab = api.create_resource(admin_api_token, unique("Lab"))
    name, rid = str(lab["name"]), str(lab["resource_id"])
    page, row = _admin_on_resources_tab(browser, site, name)
    # When they start maintenance for 2 hours
    row.get_by_role("button", name=f"Maintenance {name}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reason").fill("Lamp replacement")
    dialog.get_by_label("End automatically after", exact=False).fill("2")
    dialog.get_by_role("button", name="Start maintenance").click()
    # Then the dialog, the row and the API say so
    expect(dialog.get_by_role("status")).to_contain_text("maintenance")
    dialog.get_by_role("button", name="Close").click()
    expect(page.locator("li.row-item", has_text=name)).to_contain_text("maintenance")
    assert api.call("GET", f"/api/v1/resources/{rid}/status", admin_api_token)["status"] == (
        "maintenance"
    )
    # When they give it its own hours, Monday to Friday 08:00-18:00
    page.locator("li.row-item", has_text=name).get_by_role("button", name=f"Hours {name}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Use the global default hours").uncheck()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        dialog.get_by_label(f"Open on {day}").check()
    dialog.get_by_label("Friday closing time").fill("16:00")
    dialog.get_by_role("button", name="Save hours").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Then the API has that week
    days = api.call("GET", f"/api/v1/resources/{rid}/business-hours", admin_api_token)["days"]
    assert days["mon"] == {"opens": "08:00", "closes": "18:00"}
    assert days["fri"] == {"opens": "08:00", "closes": "16:00"}
    assert days["sat"] is None
    # When they add a blackout over two days, then remove it
    page.locator("li.row-item", has_text=name).get_by_role(
        "button", name=f"Blackouts {name}"
    ).click()
    dialog = page.get_by_role("dialog")
    first = browser_today() + timedelta(days=10)
    dialog.get_by_label("First day").fill(first.isoformat())
    dialog.get_by_label("Last day").fill((first + timedelta(days=1)).isoformat())
    dialog.get_by_label("Reason").fill("Inventory")
    dialog.get_by_role("button", name="Add blackout").click()
    expect(dialog.locator("li.row-item", has_text="Inventory")).to_have_count(1)
    listed = api.call("GET", f"/api/v1/resources/{rid}/blackouts", admin_api_token)
    assert [(b["start_date"], b["reason"]) for b in listed] == [(first.isoformat(), "Inventory")]
    dialog.get_by_role("button", name=re.compile("^Remove blackout")).click()
    expect(dialog.locator("li.row-item", has_text="Inventory")).to_have_count(0)
    assert api.call("GET", f"/api/v1/resources/{rid}/blackouts", admin_api_token) == []
    page.context.close()


def test_admin_csv_import_is_all_or_nothing(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given the administrator on Admin > Resources, and a CSV whose second row is invalid
    prefix = unique("Imported")
    page, _ = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.get_by_role("tab", name="Admin").click()
    bad = f"name,capacity\n{prefix} A,4\n{prefix} B,zero\n"
    # When they import it
    page.get_by_role("button", name="Import CSV…").click()
    dialog = page.get_by_role("dialog")
    upload = dialog.get_by_label("CSV file", exact=False)
    upload.set_input_files(files=[_csv("bad.csv", bad)])
    dialog.get_by_role("button", name="Import", exact=True).click()
    # Then every problem is listed with its row, and nothing was imported
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("row 2 (capacity)")
    assert _count_named(api, admin_api_token, prefix) == 0
    # When the fixed file is imported
    upload.set_input_files(files=[_csv("good.csv", bad.replace("zero", "2"))])
    dialog.get_by_role("button", name="Import", exact=True).click()
    # Then both rows exist
    expect(dialog.get_by_role("status").last).to_contain_text("Imported 2 resources")
    assert _count_named(api, admin_api_token, prefix) == 2
    page.context.close()


def _csv(name: str, text: str) -> FilePayload:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def _count_named(api: ApiClient, token: str, prefix: str) -> int:
    page = api.call("GET", "/api/v1/resources", token, params={"q": prefix, "limit": 100})
    return len(page["items"])


def test_admin_edits_a_resource_and_a_stale_edit_is_refused(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a resource whose edit dialog the administrator has open
    desk = api.create_resource(admin_api_token, unique("Desk"), capacity=1)
    name, rid = str(desk["name"]), str(desk["resource_id"])
    page, row = _admin_on_resources_tab(browser, site, name)
    row.get_by_role("button", name=f"Edit {name}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Capacity").fill("2")
    # When someone else changes the resource meanwhile, and they save
    api.call("PATCH", f"/api/v1/resources/{rid}", admin_api_token, json={"description": "moved"})
    dialog.get_by_role("button", name="Save changes").click()
    # Then the lost update is refused, visibly
    expect(dialog.get_by_role("alert")).to_contain_text("version_conflict")
    dialog.get_by_role("button", name="Cancel").click()
    # When they reopen the dialog (fresh version) and save
    page.locator("li.row-item", has_text=name).get_by_role("button", name=f"Edit {name}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Description")).to_have_value("moved")
    dialog.get_by_label("Capacity").fill("2")
    dialog.get_by_role("button", name="Save changes").click()
    # Then it is saved
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert api.call("GET", f"/api/v1/resources/{rid}", admin_api_token)["capacity"] == 2
    page.context.close()


def test_admin_assigns_a_role_and_disables_a_user(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a user, and the administrator on Admin > Users and roles
    username = unique("staff")
    api.register(username)
    user_token = api.login(username, USER_PASSWORD)
    page, _ = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.get_by_role("tab", name="Admin").click()
    page.get_by_role("tab", name="Users and roles").click()
    page.get_by_label("Username starts with").fill(username)
    settled(page)
    row = page.locator("li.row-item", has_text=username)
    expect(row).to_have_count(1)
    # When they make the user a guest
    row.get_by_role("checkbox", name=f"guest role for {username}").check()
    # Then the API lists the role
    expect(page.locator("#toast")).to_contain_text("role guest added")
    users = api.call("GET", "/api/v1/auth/admin/users", admin_api_token, params={"q": username})
    assert "guest" in users["items"][0]["roles"]
    # When they disable the account
    page.locator("li.row-item", has_text=username).get_by_role(
        "button", name=f"Disable {username}"
    ).click()
    # Then the row says so and the user's token stops working
    expect(page.locator("li.row-item", has_text=username)).to_contain_text("disabled")
    refused = api.http.get("/api/v1/users/me", headers={"Authorization": f"Bearer {user_token}"})
    assert refused.status_code == 401
    page.context.close()
