"""Recurring series in the browser: book a weekly series from the Reserve dialog, see the
"series" badges, cancel this-and-following, and a colliding series listing the occurrences
that are taken (then booked anyway by skipping them). Browser time is Europe/Paris."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
    fill_window,
    resource_card,
    screenshot,
    settled,
    signed_in_user,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PARIS = ZoneInfo("Europe/Paris")


def paris(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def utc_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def open_weekly_reserve(page: Page, room: dict[str, Any], hour: int, count: int) -> Any:
    """The Reserve dialog filled for `count` weekly occurrences from the day after tomorrow."""
    resource_card(page, str(room["name"])).get_by_role("button", name="Reserve").click()
    dialog = page.get_by_role("dialog")
    fill_window(dialog, day_after_tomorrow_at(hour), day_after_tomorrow_at(hour + 1))
    dialog.get_by_label("Repeats").select_option("weekly")
    # The start's weekday is ticked for us
    start_day = browser_today() + timedelta(days=2)
    expect(dialog.get_by_label(start_day.strftime("%a"), exact=True)).to_be_checked()
    dialog.get_by_label("Occurrences", exact=True).fill(str(count))
    return dialog


def test_weekly_series_badges_and_cancel_this_and_following(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given a signed-in user
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    # When they reserve 10:00-11:00, weekly, 4 times
    dialog = open_weekly_reserve(page, room, 10, 4)
    screenshot(page, "30-reserve-series")
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Then the API holds one series of 4 weekly occurrences at 10:00 Paris time
    mine = api.call("GET", "/api/v1/reservations/my", token)["items"]
    series_ids = {r["series_id"] for r in mine}
    assert len(mine) == 4 and len(series_ids) == 1 and None not in series_ids
    first_day = browser_today() + timedelta(days=2)
    starts = sorted(utc_instant(r["start_time"]) for r in mine)
    assert starts == [paris(first_day + timedelta(weeks=n), 10) for n in range(4)]
    # And My reservations shows each occurrence with a "series" badge
    page.get_by_role("tab", name="My reservations").click()
    cards = page.locator("li.reservation[data-series-id]")
    expect(cards).to_have_count(4)
    expect(cards.locator(".badge", has_text="series")).to_have_count(4)
    screenshot(page, "31-series-badges")

    # When they cancel the second occurrence "and the following ones"
    cards.nth(1).get_by_role("button", name="Cancel…").click()
    cancel = page.get_by_role("dialog")
    cancel.get_by_label("This and the following occurrences").check()
    cancel.get_by_label("Reason").fill("Course ends early")
    cancel.get_by_role("button", name="Confirm cancellation").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Then only the first stays upcoming, and "All" shows the other three cancelled
    expect(cards).to_have_count(1)
    page.locator("select[name=view]").select_option("all")
    settled(page)
    expect(cards).to_have_count(4)
    statuses = [cards.nth(i).get_attribute("data-status") for i in range(4)]
    assert statuses == ["cancelled", "cancelled", "cancelled", "active"]  # latest first
    expect(cards.first).to_contain_text("Course ends early")
    series = api.call("GET", f"/api/v1/series/{series_ids.pop()}", token)
    assert series["status"] == "active"
    page.context.close()


def test_a_colliding_series_lists_the_taken_occurrences_and_can_skip_them(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given another user holds the third week at 14:30-15:30
    rival = unique("rival")
    api.register(rival)
    third = paris(browser_today() + timedelta(days=16), 14) + timedelta(minutes=30)
    body = {
        "resource_id": room["resource_id"],
        "start_time": third.isoformat(),
        "end_time": (third + timedelta(hours=1)).isoformat(),
    }
    api.call("POST", "/api/v1/reservations", api.login(rival, USER_PASSWORD), json=body)
    page, username = signed_in_user(browser, site, api)
    # When a user asks for 14:00-15:00 weekly, 4 times, all or nothing
    dialog = open_weekly_reserve(page, room, 14, 4)
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    # Then nothing is booked and the alert names occurrence 3 and the window it overlaps
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("reservation_conflict")
    expect(alert.locator("ul.occurrences > li")).to_have_count(1)
    expect(alert.locator("ul.occurrences > li")).to_contain_text("#3 ")
    expect(alert.locator("ul.occurrences > li")).to_contain_text("overlaps")
    expect(alert.locator("ul.occurrences > li")).to_contain_text("14:30")
    screenshot(page, "32-series-conflict")
    token = api.login(username, USER_PASSWORD)
    assert api.call("GET", "/api/v1/reservations/my", token)["items"] == []
    # When they choose to skip the taken occurrences and reserve again
    dialog.get_by_label("Skip the taken occurrences, book the rest").check()
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    # Then three are booked and the dialog says which one was skipped
    result = dialog.get_by_role("status")
    expect(result).to_contain_text("Booked 3 of 4 occurrences.")
    expect(result.locator("ul.skipped > li")).to_have_count(1)
    screenshot(page, "33-series-skipped")
    result.get_by_role("button", name="Done").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    booked = api.call("GET", "/api/v1/reservations/my", token)["items"]
    first_day = browser_today() + timedelta(days=2)
    expected = [paris(first_day + timedelta(weeks=n), 14) for n in (0, 1, 3)]
    assert sorted(utc_instant(r["start_time"]) for r in booked) == expected
    page.context.close()
