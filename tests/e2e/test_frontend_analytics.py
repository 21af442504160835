"""The analytics screen (issue 12): a user's own figures once the pipeline counted their
booking, the heatmap and the charts' tables, a CSV export; the screen passes axe; utilisation
per location, filtered to one location, on screen and in the export."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    screenshot,
    signed_in_user,
    unique,
)
from tests.e2e.test_frontend_a11y import check

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
DEADLINE_S = 90  # the worker, and the analytics catalogue cache (60 s, docs/analytics.md)


def _show_until(page: Page, panel: Any, text: str, also: Callable[[], bool] = lambda: True) -> None:
    """Press Show until the headline figures say `text` and `also` holds (the worker may still
    be counting, and each figure is its own request: one may answer before the count lands
    and the next after)."""
    deadline = time.monotonic() + DEADLINE_S
    figures = panel.locator("dl.kpis")
    while True:
        panel.get_by_role("button", name="Show").click()
        expect(panel.locator(".analytics-results")).not_to_have_attribute("aria-busy", "true")
        if (text in (figures.text_content() or "") and also()) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    expect(figures).to_contain_text(text)


def test_a_user_sees_their_booking_in_the_analytics(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given a user who booked two hours of the room (through the API)
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    day = (datetime.now(UTC) + timedelta(days=2)).date()
    body = {
        "resource_id": room["resource_id"],
        "start_time": f"{day.isoformat()}T10:00:00Z",
        "end_time": f"{day.isoformat()}T12:00:00Z",
    }
    api.call("POST", "/api/v1/reservations", token, json=body)
    # When they open Analytics for that day
    page.get_by_role("tab", name="Analytics").click()
    panel = page.get_by_role("tabpanel", name="Analytics")
    expect(panel.get_by_role("heading", name="Analytics: Your bookings")).to_be_visible()
    panel.get_by_label("From", exact=True).fill(day.isoformat())
    panel.get_by_label("To", exact=True).fill(day.isoformat())
    panel.get_by_label("Time zone of the heatmap").fill("UTC")
    # Then their figures show the two hours, once the worker counted them
    heat = panel.get_by_role("table", name="Booked hours by weekday and hour (UTC)")
    ten_o_clock = heat.get_by_role("row", name=day.strftime("%A")).get_by_role("cell").nth(10)
    _show_until(
        page,
        panel,
        "Booked hours2",
        also=lambda: ten_o_clock.count() == 1 and ten_o_clock.text_content() == "1",
    )
    expect(ten_o_clock).to_have_text("1")
    # And each chart has its figures as a table
    panel.get_by_text("Booked versus used hours per day: as a table").click()
    usage = panel.get_by_role("table", name="Booked versus used hours per day")
    expect(usage.get_by_role("row", name=day.isoformat())).to_contain_text("2")
    # And the reservations export downloads their booking
    with page.expect_download() as download:
        panel.get_by_role("button", name="Export reservations (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert room["resource_id"] in text and len(text.strip().splitlines()) == 2
    screenshot(page, "60-analytics")
    check(page, "61-a11y-analytics")
    page.context.close()


def test_utilisation_per_location_filtered_to_one_location(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a room in a new building, which a user booked for three hours
    building = api.call(
        "POST",
        "/api/v1/resource-groups",
        admin_api_token,
        json={"name": unique("Wing"), "kind": "building"},
    )
    room = api.create_resource(admin_api_token, unique("Lab"), capacity=4)
    api.call(
        "POST",
        f"/api/v1/resource-groups/{building['group_id']}/resources",
        admin_api_token,
        json={"resource_id": room["resource_id"]},
    )
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    body = {
        "resource_id": room["resource_id"],
        "start_time": f"{day.isoformat()}T09:00:00Z",
        "end_time": f"{day.isoformat()}T12:00:00Z",
    }
    api.call("POST", "/api/v1/reservations", token, json=body)
    # When they show utilisation per location, only within that building
    page.get_by_role("tab", name="Analytics").click()
    panel = page.get_by_role("tabpanel", name="Analytics")
    panel.get_by_label("From", exact=True).fill(day.isoformat())
    panel.get_by_label("To", exact=True).fill(day.isoformat())
    filters = panel.get_by_role("form", name="Date range and filters")
    filters.get_by_label("Utilisation", exact=True).select_option("location")
    only = panel.get_by_label("Only location")
    expect(only.locator(f"option[value='{building['group_id']}']")).to_have_count(1)
    only.select_option(building["group_id"])
    # (another test's admin read may have cached the catalogue between the room's creation
    # and its move into the building: the row shows once the cache is reread)
    named = panel.locator(".analytics-results table tr").filter(has_text=building["name"])
    _show_until(page, panel, "Booked hours3", also=lambda: named.count() == 1)
    # Then the utilisation table has one row: the building, named
    panel.get_by_text("Utilisation (booked / open hours, %)").first.click()
    table = panel.get_by_role("table", name="Utilisation (booked")
    expect(table.get_by_role("row", name=re.compile(re.escape(building["name"])))).to_have_count(1)
    # And the utilisation export follows the grouping: a location column, the building's row
    with page.expect_download() as download:
        panel.get_by_role("button", name="Export utilisation (CSV)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").strip().splitlines()
    assert lines[0].startswith("location"), lines[0]
    assert len(lines) == 2 and building["name"] in lines[1], lines
    page.context.close()
