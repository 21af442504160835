"""Check-in in the browser (issue 10): a reservation about to start shows a Check in button
and the signed link (the QR page); the button checks in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import USER_PASSWORD, ApiClient, Site, screenshot, signed_in_user, unique

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_the_check_in_button_and_link_around_the_start(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a room that requires check-in from 30 min before the start
    room = api.create_resource(admin_api_token, unique("Desk"))
    policy = {"required": True, "opens_before_minutes": 30, "closes_after_minutes": 15}
    api.call(
        "PUT", f"/api/v1/resources/{room['resource_id']}/check-in", admin_api_token, json=policy
    )
    # And a user's booking starting in 10 minutes
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    start = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    body = {
        "resource_id": room["resource_id"],
        "start_time": start.isoformat(),
        "end_time": (start + timedelta(hours=1)).isoformat(),
    }
    rid = api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"]
    # When they open My reservations
    page.get_by_role("tab", name="My reservations").click()
    booking = page.locator(f"li.reservation[data-reservation-id='{rid}']")
    # Then the card offers check-in and the signed link (the QR code's page)
    link = booking.get_by_role("link", name="Check-in link")
    expect(link).to_be_visible()
    qr = booking.get_by_role("img", name="QR code of the check-in link")
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/png;base64,")
    href = link.get_attribute("href") or ""
    assert href.startswith(site.api.rstrip("/") + "/api/v1/checkin/")
    shown = httpx.get(href, headers={"Accept": "text/html"}, timeout=10)
    assert shown.status_code == 200 and "Check in" in shown.text
    screenshot(page, "69-check-in-button")
    # When they check in, the card says so
    booking.get_by_role("button", name="Check in").click()
    expect(booking.locator(".check-in")).to_contain_text("checked in")
    state: dict[str, Any] = api.call("GET", f"/api/v1/reservations/{rid}/check-in", token)
    assert state["checked_in"] is True
    page.context.close()
