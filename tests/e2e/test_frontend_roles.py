"""The role editor in the web app (roles14): an administrator creates a custom role with its
scopes as checkboxes in Admin > Roles, edits it in its dialog, sees a stale edit refused in
words and deletes it. Built-in roles are shown, read-only. The role's name is this test's own,
so the other suites sharing the stack are not affected."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import ApiClient, Site, admin_area, screenshot, unique

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_an_admin_creates_edits_and_deletes_a_role(
    browser: Browser, site: Site, api: ApiClient, admin_api_token: str
) -> None:
    name = unique("editors").lower()
    admin, panel, console = admin_area(browser, site, api, "Custom roles")
    # The built-in roles are there, without edit buttons; `admin` cannot be ticked
    builtin = panel.locator("li.row-item[data-role='guest']")
    expect(builtin).to_contain_text("built-in")
    expect(builtin.get_by_role("button")).to_have_count(0)
    form = panel.get_by_role("form", name="Create a role")
    expect(form.get_by_role("checkbox", name="admin")).to_be_disabled()
    # When the admin creates a role granting catalogue writes
    form.get_by_label("Name").fill(name)
    form.get_by_label("Description").fill("Edit the catalogue")
    form.get_by_role("checkbox", name="resources:read").check()
    form.get_by_role("checkbox", name="resources:write").check()
    form.get_by_role("button", name="Create role").click()
    row = panel.locator(f"li.row-item[data-role='{name}']")
    expect(row).to_contain_text("resources:write")
    expect(row).to_contain_text("version 1")
    assert api.call("GET", f"/api/v1/roles/{name}", admin_api_token)["scopes"] == [
        "resources:read",
        "resources:write",
    ]
    screenshot(admin, "120-admin-roles")
    # When they edit it in its dialog (untick the write scope), Then the row shows version 2
    row.get_by_role("button", name=f"Edit role {name}").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_role("checkbox", name="resources:write").uncheck()
    dialog.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("version 2")
    expect(row).not_to_contain_text("resources:write")
    # When another admin changed it meanwhile, a stale edit is refused in words
    api.call("PATCH", f"/api/v1/roles/{name}", admin_api_token, json={"description": "moved"})
    row.get_by_role("button", name=f"Edit role {name}").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("changed since you read it")
    admin.keyboard.press("Escape")
    expect(row).to_contain_text("version 3")  # the list was reloaded
    # And the role is deleted
    row.get_by_role("button", name=f"Delete role {name}").click()
    admin.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    assert console.errors == []
