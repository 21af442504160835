"""A denied booking in the browser (issue 13): the dialog shows every failed rule (here the
maximum duration and a daily quota) and Plan B; one click books an alternative."""

from __future__ import annotations

from typing import Any

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
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_denial_lists_every_rule_and_a_plan_b_alternative_books(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given two rooms with the same tag; the first allows 1 h bookings and has a 1 h daily quota
    tag = unique("pb").lower()
    first: dict[str, Any] = api.create_resource(
        admin_api_token, unique("Short room"), tags=[tag], capacity=4, max_duration_minutes=60
    )
    second: dict[str, Any] = api.create_resource(
        admin_api_token, unique("Other room"), tags=[tag], capacity=6
    )
    rule = api.call(
        "POST",
        "/api/v1/quotas/rules",
        admin_api_token,
        json={
            "name": "Short room daily",
            "metric": "hours",
            "limit": 1,
            "period": "day",
            "scope": "resource",
            "scope_value": first["resource_id"],
        },
    )
    try:
        page, username = signed_in_user(browser, site, api)
        card = resource_card(page, str(first["name"]))
        # When a 2 h booking is typed in
        card.get_by_role("button", name="Reserve").click()
        dialog = page.get_by_role("dialog")
        fill_window(dialog, day_after_tomorrow_at(10), day_after_tomorrow_at(12))
        # Then the what-if line already says it would be refused
        expect(dialog.locator(".what-if")).to_contain_text("would be refused")
        dialog.get_by_role("button", name="Reserve", exact=True).click()
        # And after sending, every failed rule is listed with its numbers
        rules = dialog.get_by_role("list", name="Rules this booking breaks")
        expect(rules).to_contain_text("may last at most 1 hour")
        expect(rules).to_contain_text("you have 0 h booked, this adds 2 h")
        plan_b = dialog.get_by_role("region", name="Alternatives")
        expect(plan_b).to_contain_text(str(second["name"]))
        screenshot(page, "30-plan-b")
        # When the other room is booked with one click
        plan_b.get_by_role("button", name=f"Book {second['name']}").first.click()
        # Then the dialog closes and the API has the booking on the other room
        expect(page.get_by_role("dialog")).to_have_count(0)
        token = api.login(username, USER_PASSWORD)
        mine = api.call("GET", "/api/v1/reservations/my", token)["items"]
        assert [r["resource_id"] for r in mine] == [second["resource_id"]]
        page.context.close()
    finally:
        api.call("DELETE", f"/api/v1/quotas/rules/{rule['rule_id']}", admin_api_token)
