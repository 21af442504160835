"""The dashboard: quick book finds a resource and books its next free hour; the booking is
listed under Upcoming reservations at once."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import ApiClient, Site, screenshot, signed_in_user

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_quick_book_takes_the_next_free_hour(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given a user on the Dashboard
    page, _ = signed_in_user(browser, site, api)
    page.get_by_role("tab", name="Dashboard").click()
    home = page.get_by_role("tabpanel", name="Dashboard")
    expect(home.get_by_role("heading", name="Upcoming reservations")).to_be_visible()
    expect(home.get_by_role("status").first).to_have_text("Nothing booked ahead.")
    # When they look the room up and take its next free hour
    home.get_by_label("Find a resource to book").fill(str(room["name"]))
    home.get_by_role("button", name=f"Next free hour of {room['name']}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Start")).not_to_have_value("")
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Then it is the first of their upcoming reservations, without a reload
    expect(home.locator("li.upcoming", has_text=str(room["name"]))).to_have_count(1)
    screenshot(page, "53-dashboard-quick-book")
    page.context.close()
