"""The calendar grid: a resource's day in its zone with busy / mine / closed blocks, drag to
book, live refresh from a pushed notification; and a timeline of 200 resources, timed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    day_after_tomorrow_at,
    drag_across_hours,
    expect_dashboard,
    fill_window,
    new_page,
    resource_card,
    screenshot,
    settled,
    sign_in,
    signed_in_user,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROWS = 200


def _paris(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=PARIS)


def _book(api: ApiClient, token: str, room: dict[str, Any], start: str, end: str) -> None:
    body = {
        "resource_id": room["resource_id"],
        "start_time": _paris(start).isoformat(),
        "end_time": _paris(end).isoformat(),
    }
    api.call("POST", "/api/v1/reservations", token, json=body)


def _open_calendar(page: Page, view: str) -> Any:
    page.get_by_role("tab", name="Calendar").click()
    panel = page.get_by_role("tabpanel", name="Calendar")
    panel.get_by_label("View", exact=True).select_option(label=view)
    return panel


def test_a_rooms_day_shows_busy_mine_and_closed_and_a_drag_books(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a room open 08:00-18:00 every day (Paris), booked 10-11 by someone else
    room = api.create_resource(admin_api_token, unique("Grid room"))
    hours = {day: {"opens": "08:00", "closes": "18:00"} for day in WEEKDAYS}
    rid = room["resource_id"]
    api.call(
        "PUT", f"/api/v1/resources/{rid}/business-hours", admin_api_token, json={"days": hours}
    )
    other = unique("other")
    api.register(other)
    _book(
        api,
        api.login(other, USER_PASSWORD),
        room,
        day_after_tomorrow_at(10),
        day_after_tomorrow_at(11),
    )
    # And a user who booked 14-15 themselves
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    _book(api, token, room, day_after_tomorrow_at(14), day_after_tomorrow_at(15))
    # When they open the room's day, two days ahead
    panel = _open_calendar(page, "One resource's day")
    panel.get_by_label("Resource", exact=True).select_option(label=str(room["name"]))
    grid = panel.get_by_test_id("calendar")
    expect(grid).to_have_attribute("data-zone", "Europe/Paris")
    grid.get_by_role("button", name="Next day").click()
    grid.get_by_role("button", name="Next day").click()
    # Then the other's booking is only "Busy", theirs is "Yours", and the night is shaded
    busy = grid.locator(".ec-event.rr-busy")
    mine = grid.locator(".ec-event.rr-mine")
    expect(busy).to_have_count(1, timeout=15_000)  # two day loads on a loaded machine
    expect(busy).to_contain_text("Busy")
    expect(busy).not_to_contain_text(other)
    expect(mine).to_have_count(1)
    expect(grid.locator(".ec-bg-event.rr-closed")).not_to_have_count(0)
    screenshot(page, "30-calendar-resource-day")
    # When they drag across the free hour 12:00-13:00 (the busy hour gives the scale)
    dialog = page.get_by_role("dialog")

    # Then the Reserve dialog opens with that window (browser time is Paris too)
    def opened_on_that_hour() -> None:
        expect(dialog).to_have_count(1, timeout=5_000)
        expect(dialog.get_by_label("Start")).to_have_value(day_after_tomorrow_at(12), timeout=1_000)
        expect(dialog.get_by_label("End")).to_have_value(day_after_tomorrow_at(13), timeout=1_000)

    drag_across_hours(page, busy, 2, 3, opened_on_that_hour)
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # And the new booking shows on the grid
    expect(mine).to_have_count(2)
    # When another of their clients books 16-17 (the API), the push refreshes the grid
    _book(api, token, room, day_after_tomorrow_at(16), day_after_tomorrow_at(17))
    expect(mine).to_have_count(3, timeout=15000)
    page.context.close()


def _import_rooms(api: ApiClient, token: str, building: str, count: int) -> None:
    rows = "".join(f"{building} room {n:03d},4,{building},Europe/Paris\n" for n in range(count))
    response = api.http.post(
        "/api/v1/resources/upload",
        content=f"name,capacity,building,timezone\n{rows}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
        timeout=120.0,  # 200 rows on a loaded machine
    )
    assert response.status_code < 300, response.text


def test_a_timeline_of_200_resources_renders_in_the_browser(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given 200 rooms in one building (default opening hours: the nights are shaded)
    building = unique("tower")
    _import_rooms(api, admin_api_token, building, ROWS)
    # And someone else's booking on the last of them later today (a busy block in the grid;
    # the administrator overrides the opening hours)
    rooms = api.call("GET", f"/api/v1/resources?building={building}&limit=100", admin_api_token)
    start = datetime.now(PARIS).replace(second=0, microsecond=0) + timedelta(minutes=2)
    body = {
        "resource_id": rooms["items"][-1]["resource_id"],
        "start_time": start.isoformat(),
        "end_time": (start + timedelta(minutes=20)).isoformat(),
        "override": True,
    }
    api.call("POST", "/api/v1/reservations", admin_api_token, json=body)
    page, _ = signed_in_user(browser, site, api)
    schedules: list[str] = []  # the busy-block requests the grid makes
    page.on("request", lambda r: schedules.append(r.url) if "/schedule" in r.url else None)
    # When the user filters the day timeline to that building
    panel = _open_calendar(page, "Day timeline of the resources")
    panel.get_by_label("Building", exact=True).fill(building)
    grid = panel.get_by_test_id("calendar")
    expect(grid).to_have_attribute(
        "aria-label",
        f"Calendar: {ROWS} resources, times in your zone (Europe/Paris)",
        timeout=30000,  # the filtered catalogue pages, on a loaded machine
    )
    # Then every room is a row, and the grid reports its timings once the events are drawn
    expect(grid.locator(".ec-sidebar .ec-resource, .ec-resource")).not_to_have_count(0)
    expect(grid).to_have_attribute("data-total-ms", re.compile(r"^\d+$"), timeout=60000)
    expect(grid.locator(".ec-event.rr-busy")).to_have_count(1)
    settled(page)
    timings = {
        key: int(grid.get_attribute(f"data-{key}-ms") or -1) for key in ("rows", "events", "total")
    }
    print(f"\ntimeline of {ROWS} resources: {timings} (ms), {len(schedules)} schedule request(s)")
    # And the rows' busy blocks came in batch requests, one naming all 200 rows, never one
    # request per row (later single-id batches are refetches on pushed resource messages)
    batches = [u for u in schedules if "/api/v1/resources/schedules?" in u]
    assert batches and len(batches) == len(schedules), schedules
    assert max(u.count("ids=") for u in batches) == ROWS, [u.count("ids=") for u in batches]
    screenshot(page, "31-calendar-timeline-200")
    # Usable: the rows draw in well under a second, the events too once fetched
    assert timings["rows"] < 1500, timings
    assert timings["events"] < 1500, timings
    page.context.close()


def test_a_booking_in_one_window_shows_live_in_the_others_calendar_and_dashboard(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given one user in two windows (two sessions): the second shows the room's day
    room = api.create_resource(admin_api_token, unique("Live room"))
    first, username = signed_in_user(browser, site, api)
    second, _ = new_page(browser, site)
    sign_in(second, username, USER_PASSWORD)
    expect_dashboard(second)
    expect(second.get_by_test_id("live-indicator")).to_have_attribute("data-state", "connected")
    panel = _open_calendar(second, "One resource's day")
    panel.get_by_label("Resource", exact=True).select_option(label=str(room["name"]))
    grid = panel.get_by_test_id("calendar")
    grid.get_by_role("button", name="Next day").click()
    grid.get_by_role("button", name="Next day").click()
    expect(grid.locator(".ec-event.rr-mine")).to_have_count(0)
    # When the first window books the room 09:00-10:00, two days ahead
    card = resource_card(first, str(room["name"]))
    card.get_by_role("button", name="Reserve").click()
    dialog = first.get_by_role("dialog")
    fill_window(dialog, day_after_tomorrow_at(9), day_after_tomorrow_at(10))
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    expect(first.get_by_role("dialog")).to_have_count(0)
    # Then the second window's grid shows it without a reload (the pushed notification)
    expect(grid.locator(".ec-event.rr-mine")).to_have_count(1, timeout=15000)
    # And so does its dashboard
    second.get_by_role("tab", name="Dashboard").click()
    upcoming = second.locator("li.upcoming", has_text=str(room["name"]))
    expect(upcoming).to_have_count(1)
    screenshot(second, "32-dashboard-live")
    # When the first window cancels it, both views drop it
    first.get_by_role("tab", name="My reservations").click()
    booking = first.locator("li.reservation", has_text=str(room["name"]))
    booking.get_by_role("button", name="Cancel…").click()
    cancel = first.get_by_role("dialog")
    cancel.get_by_label("Reason").fill("Not needed")
    cancel.get_by_role("button", name="Cancel reservation").click()
    expect(upcoming).to_have_count(0, timeout=15000)
    second.get_by_role("tab", name="Calendar").click()
    expect(grid.locator(".ec-event.rr-mine")).to_have_count(0)
    first.context.close()
    second.context.close()
