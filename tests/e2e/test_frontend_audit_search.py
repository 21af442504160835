"""Admin > Audit log's statistics panel and filter suggestions, and Admin > Reservations'
search form (issue 14, audit14), on the running stack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    admin_area,
    expect_dashboard,
    new_page,
    screenshot,
    sign_in,
    unique,
)
from tests.e2e.helpers import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT = 30.0


def test_the_audit_statistics_count_what_was_done(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a resource created then renamed (the audit worker counts both, asynchronously)
    room = api.create_resource(admin_api_token, unique("Counted room"))
    rid = room["resource_id"]
    api.call("PATCH", f"/api/v1/resources/{rid}", admin_api_token, json={"name": unique("Re")})
    history = f"/api/v1/audit/entity/resource/{rid}"
    eventually(lambda: len(api.call("GET", history, admin_api_token)["items"]) >= 2, WAIT)
    stats = api.call("GET", "/api/v1/audit/statistics", admin_api_token)
    # When the admin opens the audit log
    page, panel, console = admin_area(browser, site, api, "Audit log")
    # Then the statistics of the last 30 days are shown as tables, with the counts the API has
    total = panel.locator("p.audit-stats-total")
    expect(total).to_contain_text(" entries from ")
    assert int(total.inner_text().split()[0]) >= stats["total"] >= 2  # later writes only add
    by_type = panel.get_by_role("table", name="By entity type")
    expect(by_type.get_by_role("cell", name="resource", exact=True)).to_be_visible()
    by_action = panel.get_by_role("table", name="By action")
    expect(by_action.get_by_role("cell", name="updated", exact=True)).to_be_visible()
    screenshot(page, "94-admin-audit-statistics")
    # And the filter inputs suggest the values seen in the log
    expect(panel.locator("datalist#audit-entity-types option[value='resource']")).to_have_count(1)
    expect(panel.locator("datalist#audit-actions option[value='updated']")).to_have_count(1)
    # When they ask for a range without entries, Then it says so
    form = panel.get_by_role("form", name="Audit statistics range")
    later = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    form.get_by_label("From (UTC day)").fill(later)
    form.get_by_label("To (UTC day)").fill(later)
    form.get_by_role("button", name="Show statistics").click()
    expect(panel.get_by_text(f"0 entries from {later} to {later}.")).to_be_visible()
    # And a range too wide is refused in words
    form.get_by_label("From (UTC day)").fill("2026-01-01")
    form.get_by_label("To (UTC day)").fill("2026-12-31")
    form.get_by_role("button", name="Show statistics").click()
    expect(panel.get_by_role("alert")).to_contain_text("at most 92 days")
    assert console.errors == [], console.errors
    page.context.close()


def test_an_admin_searches_reservations(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a user's reservation on a fresh room, and one cancelled
    name = unique("searcher")
    api.register(name)
    token = api.login(name, USER_PASSWORD)
    room = api.create_resource(admin_api_token, unique("Searched room"))
    start = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    ids = []
    for hours in (0, 2):
        body = {
            "resource_id": room["resource_id"],
            "start_time": (start + timedelta(hours=hours)).isoformat(),
            "end_time": (start + timedelta(hours=hours + 1)).isoformat(),
        }
        ids.append(api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"])
    cancel = f"/api/v1/reservations/{ids[1]}/cancel"
    api.call("POST", cancel, token, json={"reason": "not needed"})
    # When the admin searches that room's cancelled reservations
    page, panel, console = admin_area(browser, site, api, "Reservation search")
    form = panel.get_by_role("form", name="Search reservations")
    form.get_by_label("Resource id").fill(room["resource_id"])
    form.get_by_role("button", name="Search").click()
    table = panel.get_by_role("table", name="Reservations found")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text(room["name"])
    form.get_by_label("Status").select_option("cancelled")
    form.get_by_role("button", name="Search").click()
    # Then only the cancelled one is listed
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator(f"tr[data-reservation-id='{ids[1]}']")).to_be_visible()
    screenshot(page, "95-admin-reservation-search")
    assert console.errors == [], console.errors
    page.context.close()


def test_my_reservations_filter_by_location(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a user's bookings in two rooms, one of them in a building
    name = unique("locator")
    api.register(name)
    token = api.login(name, USER_PASSWORD)
    building = unique("Building ")
    group = api.call(
        "POST",
        "/api/v1/resource-groups",
        admin_api_token,
        json={"name": building, "kind": "building"},
    )
    inside = api.create_resource(admin_api_token, unique("Inside room"))
    outside = api.create_resource(admin_api_token, unique("Outside room"))
    api.call(
        "POST",
        f"/api/v1/resource-groups/{group['group_id']}/resources",
        admin_api_token,
        json={"resource_id": inside["resource_id"]},
    )
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=10, minute=0, second=0)
    for room in (inside, outside):
        body = {
            "resource_id": room["resource_id"],
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
        }
        api.call("POST", "/api/v1/reservations", token, json=body)
    page, console = new_page(browser, site)
    sign_in(page, name, USER_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="My reservations").click()
    panel = page.get_by_role("tabpanel", name="My reservations")
    cards = panel.get_by_role("list", name="My reservations").locator("> *")
    expect(cards).to_have_count(2)
    # When they pick the building, Then only the booking inside it is listed
    panel.get_by_label("Location").select_option(label=building)
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(inside["name"])
    # And "Any location" lists both again
    panel.get_by_label("Location").select_option("")
    expect(cards).to_have_count(2)
    assert console.errors == [], console.errors
    page.context.close()
