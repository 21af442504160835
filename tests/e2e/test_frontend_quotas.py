"""Booking quotas in the web app (issue 13): an admin creates a rule for one room in Admin >
Quotas, a user reads their usage of it in My limits after booking the room, the admin edits
the rule in its dialog and deletes it. The rule is scoped to this test's own room, so the
other suites sharing the stack are not limited by it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    admin_area,
    browser_today,
    create_room,
    screenshot,
    signed_in_user,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_an_admin_limits_a_room_and_its_user_sees_the_usage(
    browser: Browser, site: Site, api: ApiClient, admin_api_token: str
) -> None:
    room = create_room(api, admin_api_token)
    rule_name = unique("Room limit")
    admin, panel, console = admin_area(browser, site, api, "Quotas")
    # When the admin limits the room to two reservations a day per user
    form = panel.get_by_role("form", name="New quota rule")
    form.get_by_label("Name").fill(rule_name)
    form.get_by_label("Counts").select_option("count")
    form.get_by_label("Limit").fill("2")
    form.get_by_label("Period").select_option("day")
    form.get_by_label("Applies to").select_option("resource")
    form.get_by_label("Scope value").fill(str(room["resource_id"]))
    form.get_by_role("button", name="Create rule").click()
    row = panel.locator("li.row-item", has_text=rule_name)
    expect(row).to_contain_text("2 reservations per day (count), resource")
    screenshot(admin, "95-admin-quotas")

    # Then a user who booked the room once reads 1 of 2 used in My limits
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    day = (browser_today() + timedelta(days=3)).isoformat()
    body = {
        "resource_id": room["resource_id"],
        "start_time": f"{day}T10:00:00Z",
        "end_time": f"{day}T11:00:00Z",
    }
    api.call("POST", "/api/v1/reservations", token, json=body)
    page.get_by_role("tab", name="My limits").click()
    rows = page.get_by_role("tabpanel", name="My limits").locator("li", has_text=rule_name)
    usage = rows.filter(has_text=f"day of {day}")
    expect(usage).to_contain_text("1 of 2 reservations used; 1 left")
    expect(usage.get_by_role("meter")).to_have_attribute("value", "1")
    screenshot(page, "96-my-limits")
    page.context.close()

    # When the admin raises the limit in the rule's dialog
    row.get_by_role("button", name=f"Edit rule {rule_name}").click()
    dialog = admin.get_by_role("dialog", name=f"Edit rule {rule_name}")
    dialog.get_by_label("Limit", exact=True).fill("3")
    dialog.get_by_role("button", name="Save rule").click()
    expect(row).to_contain_text("3 reservations per day")
    # and deletes it
    row.get_by_role("button", name=f"Delete rule {rule_name}").click()
    admin.get_by_role("dialog", name=f"Delete rule {rule_name}").get_by_role(
        "button", name="Delete"
    ).click()
    expect(panel.locator("li.row-item", has_text=rule_name)).to_have_count(0)
    assert console.errors == []
    admin.context.close()
