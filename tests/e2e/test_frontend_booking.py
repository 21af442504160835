"""Booking in the browser: reserve, the 409 conflict shown with its windows, cancel,
reschedule, history and a resource's schedule (times typed in Europe/Paris browser time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    day_after_tomorrow_at,
    fill_window,
    resource_card,
    screenshot,
    signed_in_user,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PARIS = ZoneInfo("Europe/Paris")
DASH = "\N{EN DASH}"  # between the ends of a time range, as the page writes it


def test_book_see_conflict_and_cancel(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given a signed-in user on the Resources tab
    page, username = signed_in_user(browser, site, api)
    card = resource_card(page, str(room["name"]))
    # When they reserve 10:00-11:00 (browser time, Europe/Paris) the day after tomorrow
    card.get_by_role("button", name="Reserve").click()
    dialog = page.get_by_role("dialog")
    fill_window(dialog, day_after_tomorrow_at(10), day_after_tomorrow_at(11))
    dialog.get_by_label("Notes (optional)").fill("Team sync")
    screenshot(page, "04-reserve-dialog")
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Then it is listed in My reservations, at the right instant for the API
    page.get_by_role("tab", name="My reservations").click()
    booking = page.locator("li.reservation", has_text=str(room["name"]))
    expect(booking).to_have_count(1)
    expect(booking).to_contain_text("Team sync")
    expect(booking).to_have_attribute("data-status", "active")
    token = api.login(username, USER_PASSWORD)
    mine = api.call("GET", "/api/v1/reservations/my", token)["items"]
    start = datetime.fromisoformat(mine[0]["start_time"].replace("Z", "+00:00"))
    expected = datetime.fromisoformat(day_after_tomorrow_at(10)).replace(tzinfo=PARIS)
    assert start == expected
    screenshot(page, "05-my-reservations")

    # When they try to book an overlapping window
    page.get_by_role("tab", name="Resources").click()
    card.get_by_role("button", name="Reserve").click()
    dialog = page.get_by_role("dialog")
    fill_window(dialog, day_after_tomorrow_at(10, 30), day_after_tomorrow_at(11, 30))
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    # Then the conflict is shown, with its code and the conflicting window
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("reservation_conflict")
    expect(alert).to_contain_text("10:00")
    screenshot(page, "06-conflict")
    dialog.get_by_role("button", name="Cancel").click()

    # When they cancel the reservation with a reason
    page.get_by_role("tab", name="My reservations").click()
    booking.get_by_role("button", name="Cancel…").click()
    page.get_by_role("dialog").get_by_label("Reason").fill("Plans changed")
    page.get_by_role("button", name="Cancel reservation").click()
    # Then it is cancelled for the API, and no longer offers Cancel
    expect(page.get_by_role("dialog")).to_have_count(0)
    mine = api.call("GET", f"/api/v1/reservations/{mine[0]['reservation_id']}", token)
    assert mine["status"] == "cancelled"
    expect(booking.get_by_role("button", name="Cancel…")).to_have_count(0)
    page.context.close()


def test_reschedule_history_and_schedule(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given a user with a reservation 14:00-15:00 the day after tomorrow (booked via the API)
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    start = datetime.fromisoformat(day_after_tomorrow_at(14)).replace(tzinfo=PARIS)
    body = {
        "resource_id": room["resource_id"],
        "start_time": start.isoformat(),
        "end_time": (start + timedelta(hours=1)).isoformat(),
    }
    api.call("POST", "/api/v1/reservations", token, json=body)
    # When they reschedule it to 16:00-17:00 from My reservations
    page.get_by_role("tab", name="My reservations").click()
    booking = page.locator("li.reservation", has_text=str(room["name"]))
    expect(booking).to_contain_text("14:00")
    booking.get_by_role("button", name="Reschedule").click()
    dialog = page.get_by_role("dialog")
    fill_window(dialog, day_after_tomorrow_at(16), day_after_tomorrow_at(17))
    dialog.get_by_role("button", name="Save new time").click()
    # Then the list shows the new time
    expect(booking).to_contain_text("16:00")
    # And the history tells both steps, the move with its old and new windows
    booking.get_by_role("button", name="History").click()
    history = page.get_by_role("dialog")
    expect(history.locator("ol.history > li")).to_have_count(2)
    expect(history).to_contain_text("rescheduled")
    expect(history).to_contain_text(f"14:00 {DASH} 15:00")
    expect(history).to_contain_text(f"16:00 {DASH} 17:00")
    history.get_by_role("button", name="Close").click()
    # And the resource's schedule shows the block as theirs
    resource_card(page, str(room["name"])).get_by_role("button", name="Schedule").click()
    schedule = page.get_by_role("dialog")
    expect(schedule.locator("li.block.mine")).to_contain_text("16:00")
    screenshot(page, "11-schedule")
    page.context.close()
