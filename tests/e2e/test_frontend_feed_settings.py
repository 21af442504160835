"""Calendar feed settings in the web app (issue 12): an admin turns a location's feed and a
resource's feed on from their rows, copies a URL a calendar app can subscribe to (parsed with
icalendar), makes it a private link, replaces that link, and turns the feed off again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.calendar_kit import parse_feed
from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    USER_PASSWORD,
    ApiClient,
    Site,
    expect_dashboard,
    new_page,
    screenshot,
    settled,
    sign_in,
    unique,
)
from tests.e2e.test_frontend_a11y import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _booked_location(api: ApiClient, admin: str, room: dict[str, Any]) -> tuple[str, str]:
    """A building holding `room`, which one user has booked once: (group id, name)."""
    name = unique("Annex")
    body = {"name": name, "kind": "building"}
    group = api.call("POST", "/api/v1/resource-groups", admin, json=body)
    api.call(
        "POST",
        f"/api/v1/resource-groups/{group['group_id']}/resources",
        admin,
        json={"resource_id": room["resource_id"]},
    )
    username = unique("feeder")
    api.register(username)
    token = api.login(username, USER_PASSWORD)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=10, minute=0, second=0)
    booking = {
        "resource_id": room["resource_id"],
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    api.call("POST", "/api/v1/reservations", token, json=booking)
    return group["group_id"], name


def _admin_tab(page: Page, tab: str) -> Locator:
    page.get_by_role("tab", name="Admin").click()
    page.get_by_role("tab", name=tab).click()
    return page.get_by_role("tabpanel", name=tab)


def _choose(dialog: Locator, mode_label: str) -> None:
    dialog.get_by_label(mode_label).check()
    dialog.get_by_role("button", name="Save feed setting").click()


def test_a_location_feed_is_turned_on_made_private_replaced_and_off(
    browser: Browser, site: Site, api: ApiClient, admin_api_token: str, room: dict[str, Any]
) -> None:
    group_id, name = _booked_location(api, admin_api_token, room)
    page, console = new_page(browser, site)
    page.on("dialog", lambda confirm: confirm.accept())  # the "replace the link?" question
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    panel = _admin_tab(page, "Locations")
    panel.get_by_role("button", name=f"Calendar feed: {name}").click()
    dialog = page.get_by_role("dialog", name=f"Calendar feed: {name}")
    # It starts off: no URL to give out
    expect(dialog.get_by_label("Off: no feed")).to_be_checked()
    expect(dialog.get_by_label("Feed URL")).to_be_hidden()

    # When the admin makes it public, Then its URL serves the room's booking as a busy block
    _choose(dialog, "Public: anyone may subscribe")
    url_field = dialog.get_by_label("Feed URL")
    expect(url_field).to_have_value(containing(f"/calendar/groups/{group_id}/feed.ics"))
    public_url = url_field.input_value()
    [event] = parse_feed(httpx.get(public_url, timeout=10.0).text)
    assert event.summary == f"Busy: {room['name']}"  # a busy block, no details
    expect(dialog.get_by_role("link", name="Open in calendar app")).to_have_attribute(
        "href", public_url.replace("http://", "webcal://")
    )
    settled(page)
    screenshot(page, "95-location-feed-settings")
    assert axe_violations(page) == []

    # When it becomes a private link, Then only the URL with its token works
    _choose(dialog, "Private link: only people given the URL (it carries a secret token)")
    expect(url_field).to_have_value(containing("token="))
    private_url = url_field.input_value()
    assert httpx.get(public_url, timeout=10.0).status_code in (401, 403, 404)
    assert len(parse_feed(httpx.get(private_url, timeout=10.0).text)) == 1
    # When the admin copies it to give it out, Then the clipboard holds it
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.frontend)
    dialog.get_by_role("button", name="Copy URL").click()
    expect(page.locator("#toast")).to_contain_text("Feed URL copied.")
    assert page.evaluate("navigator.clipboard.readText()") == private_url
    # When the link is replaced, Then the old one stops working
    dialog.get_by_role("button", name="New private link").click()
    expect(page.locator("#toast")).to_contain_text("New private link")
    expect(url_field).not_to_have_value(private_url)
    assert httpx.get(private_url, timeout=10.0).status_code in (401, 403, 404)
    assert httpx.get(url_field.input_value(), timeout=10.0).status_code == 200

    # When it is turned off, Then no URL is shown and none works
    newest = url_field.input_value()
    _choose(dialog, "Off: no feed")
    expect(url_field).to_be_hidden()
    assert httpx.get(newest, timeout=10.0).status_code in (401, 403, 404)
    assert console.errors == []
    page.context.close()


def test_a_resource_feed_is_turned_on_from_its_row(
    browser: Browser, site: Site, api: ApiClient, admin_api_token: str, room: dict[str, Any]
) -> None:
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Admin").click()  # Admin opens on its Resources tab
    page.get_by_label("Filter by name").fill(room["name"])
    row = page.locator("li.row-item", has_text=room["name"])
    expect(row).to_have_count(1)
    row.get_by_role("button", name=f"Calendar feed {room['name']}").click()
    dialog = page.get_by_role("dialog", name=f"Calendar feed: {room['name']}")
    _choose(dialog, "Public: anyone may subscribe")
    url_field = dialog.get_by_label("Feed URL")
    expect(url_field).to_have_value(
        containing(f"/calendar/resources/{room['resource_id']}/feed.ics")
    )
    answer = httpx.get(url_field.input_value(), timeout=10.0)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    parse_feed(answer.text)
    assert console.errors == []
    page.context.close()


def containing(fragment: str) -> Any:
    import re

    return re.compile(".*" + re.escape(fragment) + ".*")
