"""The composite resource Parts dialog in the admin resource editor (issue 14): pick parts,
save, reopen with the saved state, change them, and a refusal shown in words. Every step is
checked against the API (`GET /resources/{id}/parts`), not only the screen."""

from __future__ import annotations

from typing import Any

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
    settled,
    sign_in,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def parts_of(api: ApiClient, token: str, resource_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = api.call("GET", f"/api/v1/resources/{resource_id}/parts", token)
    return answer


def open_parts(page: Page, name: str) -> Any:
    """Admin > Resources: filter by name, press the row's Parts button; the dialog."""
    page.get_by_label("Filter by name").fill(name)
    settled(page)
    row = page.locator("li.row-item", has_text=name)
    expect(row).to_have_count(1)
    row.get_by_role("button", name=f"Parts {name}").click()
    dialog = page.get_by_role("dialog", name=f"Parts: {name}")
    expect(dialog).to_be_visible()
    # the catalogue's checkboxes arrive after the dialog opens
    expect(dialog.get_by_role("checkbox").first).to_be_visible()
    return dialog


def test_the_parts_dialog_sets_and_changes_a_composites_parts(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a hall and two halves (names sort first: the dialog lists the first 100 by name)
    tag = unique("")
    hall = api.create_resource(admin_api_token, f"000 Hall {tag}")
    half_a = api.create_resource(admin_api_token, f"000 Half A {tag}")
    half_b = api.create_resource(admin_api_token, f"000 Half B {tag}")
    api.ensure_setup()
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Admin").click()  # Admin > Resources is its first area
    # When the admin ticks both halves in the hall's Parts dialog and saves
    dialog = open_parts(page, hall["name"])
    expect(dialog.get_by_role("checkbox", name=hall["name"])).to_have_count(0)  # not itself
    dialog.get_by_role("checkbox", name=half_a["name"]).check()
    dialog.get_by_role("checkbox", name=half_b["name"]).check()
    screenshot(page, "93-admin-parts-dialog")
    dialog.get_by_role("button", name="Save parts").click()
    # Then the dialog closes with a confirmation, and the API holds both parts
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"{hall['name']} now has 2 parts.")).to_be_visible()
    saved = parts_of(api, admin_api_token, hall["resource_id"])
    assert set(saved["parts"]) == {half_a["resource_id"], half_b["resource_id"]}
    # When they reopen it, Then the saved parts are ticked; unticking one keeps the other
    dialog = open_parts(page, hall["name"])
    expect(dialog.get_by_role("checkbox", name=half_a["name"])).to_be_checked()
    expect(dialog.get_by_role("checkbox", name=half_b["name"])).to_be_checked()
    dialog.get_by_role("checkbox", name=half_b["name"]).uncheck()
    dialog.get_by_role("button", name="Save parts").click()
    expect(page.get_by_text(f"{hall['name']} now has 1 parts.")).to_be_visible()
    assert parts_of(api, admin_api_token, hall["resource_id"])["parts"] == [half_a["resource_id"]]
    # When they try to give the part A parts of its own (one level only)
    dialog = open_parts(page, half_a["name"])
    expect(dialog.get_by_text("Part of 1 composite(s); a part cannot have parts.")).to_be_visible()
    dialog.get_by_role("checkbox", name=half_b["name"]).check()
    dialog.get_by_role("button", name="Save parts").click()
    # Then the refusal is explained in the dialog and nothing changed
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("these parts cannot be set")
    expect(alert).to_contain_text("a part of another composite cannot have parts")
    assert parts_of(api, admin_api_token, half_a["resource_id"])["parts"] == []
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    # And clearing every part of the hall is one save away
    dialog = open_parts(page, hall["name"])
    dialog.get_by_role("checkbox", name=half_a["name"]).uncheck()
    dialog.get_by_role("button", name="Save parts").click()
    expect(page.get_by_text(f"{hall['name']} has no parts now.")).to_be_visible()
    assert parts_of(api, admin_api_token, hall["resource_id"])["parts"] == []
    assert console.errors == [], console.errors
    page.context.close()
