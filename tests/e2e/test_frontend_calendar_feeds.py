"""Calendar feeds in the web app (issue 12): the profile shows the subscription URL and
replaces it on request; a reservation offers .ics, Google and Outlook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.calendar_kit import parse_feed
from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    open_account_menu,
    screenshot,
    settled,
    signed_in_user,
)
from tests.e2e.test_frontend_a11y import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_feed_url_regenerate_and_add_to_calendar(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given a user with one booking
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, second=0)
    body = {
        "resource_id": room["resource_id"],
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    reservation = api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"]

    # When they open their profile, the feed URL is there, and it serves their booking
    open_account_menu(page, "Profile and preferences")
    dialog = page.get_by_role("dialog")
    section = dialog.get_by_role("form", name="Calendar feed")
    url_field = section.get_by_label("Feed URL")
    expect(url_field).to_have_value(
        api.call("GET", "/api/v1/calendar/subscription-url", token)["url"]
    )
    first_url = url_field.input_value()
    [event] = parse_feed(httpx.get(first_url, timeout=10.0).text)
    assert event.uid == f"{reservation}@resource-reserver"
    expect(section.get_by_role("link", name="Open in calendar app")).to_have_attribute(
        "href", first_url.replace("http://", "webcal://")
    )
    settled(page)
    screenshot(page, "60-calendar-feed-profile")
    assert axe_violations(page) == []
    # When they copy it, the clipboard holds it and the page says so
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.frontend)
    section.get_by_role("button", name="Copy URL").click()
    expect(page.locator("#toast")).to_contain_text("Feed URL copied.")
    assert page.evaluate("navigator.clipboard.readText()") == first_url
    # When they regenerate it (after confirming), the old URL stops working
    section.get_by_role("button", name="Regenerate URL…").click()
    confirm = page.get_by_role("dialog", name="Regenerate feed URL")
    confirm.get_by_role("button", name="Replace the URL").click()
    expect(page.locator("#toast")).to_contain_text("New feed URL")
    expect(url_field).not_to_have_value(first_url)
    assert httpx.get(first_url, timeout=10.0).status_code == 404
    assert httpx.get(url_field.input_value(), timeout=10.0).status_code == 200
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # When they open "Add to calendar" on the booking in My reservations
    page.get_by_role("tab", name="My reservations").click()
    card = page.locator(f"[data-reservation-id='{reservation}']")
    card.get_by_role("button", name="Add to calendar").click()
    links = page.get_by_role("dialog")
    google = links.get_by_role("link", name="Add to Google Calendar")
    expect(google).to_be_visible()
    dates = parse_qs(urlparse(google.get_attribute("href") or "").query)["dates"]
    assert dates == [f"{start:%Y%m%dT%H%M%S}Z/{start + timedelta(hours=1):%Y%m%dT%H%M%S}Z"]
    expect(links.get_by_role("link", name="Add to Outlook.com")).to_have_attribute(
        "href", _starts("https://outlook.live.com/calendar/")
    )
    settled(page)
    screenshot(page, "61-calendar-add-to-calendar")
    assert axe_violations(page) == []
    # Then "Download .ics" saves the booking as an .ics file
    with page.expect_download() as download:
        links.get_by_role("button", name="Download .ics").click()
    saved = download.value
    assert saved.suggested_filename == f"reservation-{reservation}.ics"
    [downloaded] = parse_feed(Path(saved.path()).read_bytes().decode())
    assert downloaded.uid == f"{reservation}@resource-reserver"
    page.context.close()


def _starts(prefix: str) -> Any:
    import re

    return re.compile("^" + re.escape(prefix))
