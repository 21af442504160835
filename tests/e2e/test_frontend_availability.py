"""Availability in the browser: the Resources tab's free-window, capacity and building filters,
and the free slots of a date in a resource's Schedule dialog (Europe/Paris browser and rooms)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    browser_today,
    day_after_tomorrow_at,
    screenshot,
    settled,
    signed_in_user,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PARIS = ZoneInfo("Europe/Paris")
DASH = "\N{EN DASH}"
EVERY_DAY_8_TO_18 = {
    "days": {
        day: {"opens": "08:00", "closes": "18:00"}
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }
}


@dataclass(frozen=True)
class Rooms:
    building: str
    booked: dict[str, Any]  # capacity 12, busy 10:00-11:00 the day after tomorrow
    free: dict[str, Any]  # capacity 4, never booked


def _room(api: ApiClient, token: str, building: str, capacity: int) -> dict[str, Any]:
    room = api.create_resource(
        token, unique("Avail"), capacity=capacity, location={"building": building}
    )
    # Own hours, so a default week another test sets cannot move the free slots.
    path = f"/api/v1/resources/{room['resource_id']}/business-hours"
    api.call("PUT", path, token, json=EVERY_DAY_8_TO_18)
    return room


@pytest.fixture(scope="module")
def rooms(api: ApiClient) -> Rooms:
    admin = api.ensure_admin()
    building = f"annex-{time.time_ns() % 10**10:010d}"  # only this module's rooms are in it
    booked = _room(api, admin, building, 12)
    free = _room(api, admin, building, 4)
    start = _paris(day_after_tomorrow_at(10))
    body = {
        "resource_id": booked["resource_id"],
        "start_time": start.isoformat(),
        "end_time": (start + timedelta(hours=1)).isoformat(),
    }
    api.call("POST", "/api/v1/reservations", admin, json=body)
    return Rooms(building, booked, free)


def _paris(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=PARIS)


def _cards(page: Page) -> Any:
    return page.locator("li.resource")


def _filter(page: Page, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).fill(value)
    settled(page)


def test_filter_by_free_window_capacity_and_building(
    site: Site, browser: Browser, api: ApiClient, rooms: Rooms
) -> None:
    # Given a user on the Resources tab, filtered to the building of the two rooms
    page, _ = signed_in_user(browser, site, api)
    _filter(page, "Building", rooms.building)
    expect(_cards(page)).to_have_count(2)
    # When they ask for rooms free 10:00-11:00 the day after tomorrow (browser time)
    _filter(page, "Free from", day_after_tomorrow_at(10))
    # (one bound alone is the API's error, shown in the list's alert)
    expect(page.get_by_role("alert")).to_contain_text("incomplete_window")
    _filter(page, "Free until", day_after_tomorrow_at(11))
    # Then only the free room is listed, and the error is gone
    expect(_cards(page)).to_have_count(1)
    expect(_cards(page)).to_contain_text(str(rooms.free["name"]))
    expect(page.get_by_role("alert")).to_have_count(0)
    screenshot(page, "20-free-window-filter")
    # And its Reserve dialog starts from that window
    _cards(page).get_by_role("button", name="Reserve").click()
    reserve = page.get_by_role("dialog")
    expect(reserve.get_by_label("Start")).to_have_value(day_after_tomorrow_at(10))
    expect(reserve.get_by_label("End")).to_have_value(day_after_tomorrow_at(11))
    reserve.get_by_role("button", name="Cancel").click()
    # When the window moves to 11:00-12:00, both are free again
    _filter(page, "Free from", day_after_tomorrow_at(11))
    _filter(page, "Free until", day_after_tomorrow_at(12))
    expect(_cards(page)).to_have_count(2)
    # When they also ask for at least 10 seats
    _filter(page, "Capacity at least", "10")
    # Then only the 12-seat room is left
    expect(_cards(page)).to_have_count(1)
    expect(_cards(page)).to_contain_text(str(rooms.booked["name"]))
    # And with no window but the same capacity, the booked room is listed too
    _filter(page, "Free from", "")
    _filter(page, "Free until", "")
    expect(_cards(page)).to_have_count(1)
    expect(_cards(page)).to_contain_text(str(rooms.booked["name"]))
    page.context.close()


def test_schedule_lists_free_slots_and_reserves_one(
    site: Site, browser: Browser, api: ApiClient, rooms: Rooms
) -> None:
    # Given a user opening the Schedule of the booked room
    page, username = signed_in_user(browser, site, api)
    _filter(page, "Building", rooms.building)
    card = page.locator("li.resource", has_text=str(rooms.booked["name"]))
    card.get_by_role("button", name="Schedule").click()
    dialog = page.get_by_role("dialog")
    # Then the date picker shows today in the room's zone (Europe/Paris)
    today = datetime.now(PARIS).date().isoformat()
    expect(dialog.get_by_label("Free slots on")).to_have_value(today)
    # When they pick the day after tomorrow
    day = (browser_today() + timedelta(days=2)).isoformat()
    dialog.get_by_label("Free slots on").fill(day)
    # Then the free slots around the 10:00-11:00 booking are listed in the room's time
    slots = dialog.locator("li.slot")
    expect(slots).to_have_count(2)
    expect(slots.nth(0)).to_contain_text(f"08:00 {DASH} 10:00")
    expect(slots.nth(1)).to_contain_text(f"11:00 {DASH} 18:00")
    expect(slots.nth(0)).to_contain_text("Europe/Paris")
    screenshot(page, "21-free-slots")
    # When they reserve the afternoon slot
    slots.nth(1).get_by_role("button", name="Reserve").click()
    reserve = page.get_by_role("dialog")
    expect(reserve.get_by_label("Start")).to_have_value(day_after_tomorrow_at(11))
    expect(reserve.get_by_label("End")).to_have_value(day_after_tomorrow_at(18))
    reserve.get_by_role("button", name="Reserve", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Then the API has the booking at those instants
    token = api.login(username, USER_PASSWORD)
    mine = api.call("GET", "/api/v1/reservations/my", token)["items"]
    assert len(mine) == 1
    start = datetime.fromisoformat(mine[0]["start_time"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(mine[0]["end_time"].replace("Z", "+00:00"))
    assert (start, end) == (_paris(day_after_tomorrow_at(11)), _paris(day_after_tomorrow_at(18)))
    # And the Schedule now shows only the morning slot free
    card.get_by_role("button", name="Schedule").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Free slots on").fill(day)
    expect(dialog.locator("li.slot")).to_have_count(1)
    expect(dialog.locator("li.slot")).to_contain_text(f"08:00 {DASH} 10:00")
    page.context.close()
