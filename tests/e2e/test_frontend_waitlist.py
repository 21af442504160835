"""The waitlist in the browser (issue 10): join from the Reserve dialog's conflict message and
from a taken slot on the calendar grid; the owner cancels; the offer appears live on My
waitlist and on the dashboard with a running countdown; Accept books it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    day_after_tomorrow_at,
    drag_across_hours,
    fill_window,
    resource_card,
    screenshot,
    signed_in_user,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PARIS = ZoneInfo("Europe/Paris")
LIVE_MS = 20000  # stream -> bus -> waitlist worker -> offer -> live push, on a loaded machine


def _book(api: ApiClient, token: str, room: dict[str, Any], start: str, end: str) -> str:
    body = {
        "resource_id": room["resource_id"],
        "start_time": datetime.fromisoformat(start).replace(tzinfo=PARIS).isoformat(),
        "end_time": datetime.fromisoformat(end).replace(tzinfo=PARIS).isoformat(),
    }
    return str(api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"])


def _someone(api: ApiClient) -> str:
    name = unique("owner")
    api.register(name)
    return api.login(name, USER_PASSWORD)


def test_join_from_a_conflict_then_the_offer_appears_live_and_is_accepted(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a room booked 10-11 by someone else
    room = api.create_resource(admin_api_token, unique("Wait room"))
    owner = _someone(api)
    taken = _book(api, owner, room, day_after_tomorrow_at(10), day_after_tomorrow_at(11))
    # When a user tries to reserve it, the conflict offers the waitlist
    page, _ = signed_in_user(browser, site, api)
    resource_card(page, str(room["name"])).get_by_role("button", name="Reserve").click()
    dialog = page.get_by_role("dialog")
    fill_window(dialog, day_after_tomorrow_at(10), day_after_tomorrow_at(11))
    dialog.get_by_role("button", name="Reserve", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("reservation_conflict")
    dialog.get_by_role("button", name="Join the waitlist…").click()
    # Then the Join dialog has that exact window; they ask to be offered it
    join = page.get_by_role("dialog", name=re.compile("Join the waitlist"))
    expect(join.get_by_label("Start")).to_have_value(day_after_tomorrow_at(10))
    expect(join.get_by_label("End")).to_have_value(day_after_tomorrow_at(11))
    screenshot(page, "60-waitlist-join-dialog")
    join.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # And My waitlist lists it, waiting, first in the queue
    page.get_by_role("tab", name="My waitlist").click()
    panel = page.get_by_role("tabpanel", name="My waitlist")
    entry = panel.locator("li.entry", has_text=str(room["name"]))
    expect(entry).to_have_attribute("data-status", "waiting")
    expect(entry).to_contain_text("Place in the queue")
    # When the owner cancels, the offer appears without a reload, with a running countdown
    api.call("POST", f"/api/v1/reservations/{taken}/cancel", owner, json={"reason": "freed"})
    expect(entry).to_have_attribute("data-status", "offered", timeout=LIVE_MS)
    countdown = entry.get_by_role("timer")
    expect(countdown).to_have_text(re.compile(r"^\d+:\d\d$"))
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first or "", timeout=3000)  # it ticks
    screenshot(page, "61-waitlist-offer-countdown")
    # And the dashboard shows the offer waiting
    page.get_by_role("tab", name="Dashboard").click()
    offers = page.get_by_role("list", name="Offers waiting for me")
    expect(offers.get_by_role("timer")).to_have_count(1)
    screenshot(page, "62-dashboard-offers-waiting")
    # When they accept, it is booked and listed in My reservations
    page.get_by_role("tab", name="My waitlist").click()
    entry.get_by_role("button", name="Accept").click()
    expect(entry).to_have_attribute("data-status", "booked")
    page.get_by_role("tab", name="My reservations").click()
    booking = page.locator("li.reservation", has_text=str(room["name"]))
    expect(booking).to_have_attribute("data-status", "active")
    page.context.close()


def test_a_taken_slot_on_the_calendar_offers_the_waitlist(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a room booked 10-11 by someone else, on the user's day view
    room = api.create_resource(admin_api_token, unique("Grid wait room"))
    _book(api, _someone(api), room, day_after_tomorrow_at(10), day_after_tomorrow_at(11))
    page, _ = signed_in_user(browser, site, api)
    page.get_by_role("tab", name="Calendar").click()
    panel = page.get_by_role("tabpanel", name="Calendar")
    panel.get_by_label("View", exact=True).select_option(label="One resource's day")
    panel.get_by_label("Resource", exact=True).select_option(label=str(room["name"]))
    grid = panel.get_by_test_id("calendar")
    grid.get_by_role("button", name="Next day").click()
    grid.get_by_role("button", name="Next day").click()
    busy = grid.locator(".ec-event.rr-busy")
    expect(busy).to_have_count(1)
    # When they drag from 09:00 across the busy hour to 11:00
    alert = panel.get_by_role("alert")

    def refused_that_window() -> None:
        expect(alert).to_contain_text("already booked in part of", timeout=5_000)
        expect(alert).to_contain_text("09:00 \u2013 11:00", timeout=1_000)

    drag_across_hours(page, busy, -1, 1, refused_that_window, x_at=0.9, scroll="center")
    # Then the refusal offers the waitlist for that window
    alert.get_by_role("button", name="Join the waitlist…").click()
    join = page.get_by_role("dialog", name=re.compile("Join the waitlist"))
    expect(join.get_by_label("Start")).to_have_value(day_after_tomorrow_at(9))
    expect(join.get_by_label("End")).to_have_value(day_after_tomorrow_at(11))
    # A flexible wish (any 2 hours within 09:00-11:00: none is free), booked at once
    join.get_by_label("Flexible", exact=False).check()
    join.get_by_label("Length (minutes)").fill("120")
    join.get_by_label("Book it for me at once", exact=False).check()
    join.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("tab", name="My waitlist").click()
    entry = page.locator("li.entry", has_text=str(room["name"]))
    expect(entry).to_contain_text("any 120 min")
    expect(entry).to_contain_text("auto-book")
    screenshot(page, "63-my-waitlist")
    page.context.close()
