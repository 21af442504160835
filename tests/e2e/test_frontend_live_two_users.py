"""The live proof with two people: two browser contexts, two users. What one does in their
browser shows in the other's calendar grid and dashboard without a reload."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    USER_PASSWORD,
    ApiClient,
    Site,
    day_after_tomorrow_at,
    expect_dashboard,
    fill_window,
    new_page,
    resource_card,
    screenshot,
    sign_in,
    signed_in_user,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PARIS = ZoneInfo("Europe/Paris")
LIVE = 15000  # ms: a push on a loaded machine


def _book(api: ApiClient, token: str, room: dict[str, Any], hour: int) -> None:
    start = datetime.fromisoformat(day_after_tomorrow_at(hour)).replace(tzinfo=PARIS)
    end = datetime.fromisoformat(day_after_tomorrow_at(hour + 1)).replace(tzinfo=PARIS)
    body = {
        "resource_id": room["resource_id"],
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
    }
    api.call("POST", "/api/v1/reservations", token, json=body)


def test_what_one_user_does_shows_in_the_other_users_grid_and_dashboard(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a room, and bob (a user) who booked it 14:00-15:00 two days ahead, watching its day
    room = api.create_resource(admin_api_token, unique("Shared room"))
    name = str(room["name"])
    bob, bob_name = signed_in_user(browser, site, api)
    _book(api, api.login(bob_name, USER_PASSWORD), room, 14)
    expect(bob.get_by_test_id("live-indicator")).to_have_attribute("data-state", "connected")
    bob.get_by_role("tab", name="Calendar").click()
    panel = bob.get_by_role("tabpanel", name="Calendar")
    panel.get_by_label("View", exact=True).select_option(label="One resource's day")
    panel.get_by_label("Resource", exact=True).select_option(label=name)
    grid = panel.get_by_test_id("calendar")
    grid.get_by_role("button", name="Next day").click()
    grid.get_by_role("button", name="Next day").click()
    busy = grid.locator(".ec-event.rr-busy")
    expect(grid.locator(".ec-event.rr-mine")).to_have_count(1)
    expect(busy).to_have_count(0)
    # And the administrator in a browser of their own (another context: another person)
    admin, console = new_page(browser, site)
    sign_in(admin, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(admin)
    # When the administrator books the room 09:00-10:00 in their browser
    resource_card(admin, name).get_by_role("button", name="Reserve").click()
    dialog = admin.get_by_role("dialog")
    fill_window(dialog, day_after_tomorrow_at(9), day_after_tomorrow_at(10))
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    expect(admin.get_by_role("dialog")).to_have_count(0)
    # Then bob's grid shows a "Busy" block there, without a reload, and no name
    expect(busy).to_have_count(1, timeout=LIVE)
    expect(busy).not_to_contain_text(ADMIN_USERNAME)
    screenshot(bob, "60-live-other-user-grid")
    # When the administrator cancels it in their browser, Then bob's grid drops it
    admin.get_by_role("tab", name="My reservations").click()
    mine = admin.locator("li.reservation", has_text=name)
    mine.get_by_role("button", name="Cancel…").click()
    cancel = admin.get_by_role("dialog")
    cancel.get_by_label("Reason").fill("Not needed")
    cancel.get_by_role("button", name="Cancel reservation").click()
    expect(busy).to_have_count(0, timeout=LIVE)
    # Given bob on his dashboard (a tab switch, no reload) with the booking listed
    bob.get_by_role("tab", name="Dashboard").click()
    upcoming = bob.locator("li.upcoming", has_text=name)
    expect(upcoming).to_have_count(1)
    # When the administrator deletes the room with its future reservations in their browser
    admin.get_by_role("tab", name="Admin").click()
    admin.get_by_label("Filter by name").fill(name)
    admin.get_by_role("button", name=f"Delete {name}").click()
    confirm = admin.get_by_role("dialog")
    confirm.get_by_label("Also cancel its future reservations").check()
    confirm.get_by_role("button", name="Delete", exact=True).click()
    expect(admin.get_by_role("dialog")).to_have_count(0)
    # Then bob's dashboard drops the booking and shows the notification, without a reload
    expect(upcoming).to_have_count(0, timeout=LIVE)
    notes = bob.get_by_role("list", name="Latest notifications")
    expect(notes.locator("li", has_text="Reservation cancelled")).to_have_count(1, timeout=LIVE)
    screenshot(bob, "61-live-other-user-dashboard")
    assert console.errors == []
    admin.context.close()
    bob.context.close()
