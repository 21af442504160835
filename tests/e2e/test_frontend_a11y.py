"""Accessibility of every main screen: axe-core (from node_modules, injected into the page)
finds no serious or critical violation, at desktop and at phone width; a screenshot of each
screen is saved as a test artefact (tmp/artefacts/screenshots)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    ApiClient,
    Site,
    expect_dashboard,
    new_page,
    screenshot,
    settled,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 740}
BAD = ("serious", "critical")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page; the serious and critical violations, summarised."""
    # Evaluated through the DevTools protocol, so the page's CSP (scripts from its own origin
    # only) does not apply to the checker, and the app keeps its policy.
    page.evaluate(AXE.read_text() + "\n;0")
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in BAD
    ]


def check(page: Page, name: str) -> None:
    settled(page)
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


@pytest.fixture(scope="module")
def admin_page(browser: Browser, site: Site, api: ApiClient, room: dict[str, Any]) -> Any:
    api.ensure_setup()
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    yield page
    assert console.errors == []  # CSP violations and script errors show up here
    page.context.close()


def test_sign_in_and_register_screens(browser: Browser, site: Site, api: ApiClient) -> None:
    api.ensure_setup()
    page, _ = new_page(browser, site)
    expect(page.get_by_role("tab", name="Sign in")).to_be_visible()
    check(page, "40-a11y-sign-in")
    page.get_by_role("tab", name="Register").click()
    check(page, "41-a11y-register")
    page.context.close()


@pytest.mark.parametrize(
    ("tab", "name"),
    [
        ("Dashboard", "42-a11y-dashboard"),
        ("Resources", "43-a11y-resources"),
        ("My reservations", "44-a11y-my-reservations"),
        ("Calendar", "45-a11y-calendar-timeline"),
        ("Admin", "46-a11y-admin-resources"),
        # issue 11 screens (web11)
        ("Webhooks", "70-a11y-webhooks"),
        ("Analytics", "62-a11y-analytics-admin"),  # analytics (issue 12)
        # Waitlist and approvals (issue 10)
        ("My waitlist", "70-a11y-my-waitlist"),
        ("Approvals", "71-a11y-approvals"),
        # Booking quotas (issue 13)
        ("My limits", "97-a11y-my-limits"),
        # Reservations CSV import/export (issue 14)
        ("Import / export", "99-a11y-import-export"),
    ],
)
def test_main_screens(admin_page: Page, tab: str, name: str) -> None:
    admin_page.get_by_role("tab", name=tab).click()
    if tab == "Calendar":
        expect(admin_page.get_by_test_id("calendar")).to_have_attribute("data-total-ms", _digits())
    check(admin_page, name)


def _digits() -> Any:
    import re

    return re.compile(r"^\d+$")


def test_calendar_resource_week_and_reserve_dialog(admin_page: Page, room: dict[str, Any]) -> None:
    admin_page.get_by_role("tab", name="Calendar").click()
    panel = admin_page.get_by_role("tabpanel", name="Calendar")
    panel.get_by_label("View", exact=True).select_option(label="One resource's week")
    panel.get_by_label("Resource", exact=True).select_option(label=str(room["name"]))
    expect(panel.get_by_test_id("calendar")).to_have_attribute("data-total-ms", _digits())
    check(admin_page, "47-a11y-calendar-week")
    panel.get_by_role("button", name="Reserve…").click()
    expect(admin_page.get_by_role("dialog").get_by_label("Start")).to_be_focused()
    check(admin_page, "48-a11y-reserve-dialog")
    admin_page.keyboard.press("Escape")
    panel.get_by_label("View", exact=True).select_option(label="Day timeline of the resources")


@pytest.mark.parametrize(
    ("tab", "name"),
    [
        ("Opening hours and blackouts", "49-a11y-admin-rules"),
        ("Users and roles", "50-a11y-admin-users"),
        # issue 11 screens (web11)
        ("Audit log", "71-a11y-admin-audit"),
        ("Jobs and dead letters", "72-a11y-admin-operations"),
        ("OAuth clients", "73-a11y-admin-oauth"),
        # Locations (catalog14)
        ("Locations", "90-a11y-admin-locations"),
        # Booking quotas (issue 13)
        ("Quotas", "98-a11y-admin-quotas"),
        # Custom roles (roles14)
        ("Custom roles", "121-a11y-admin-roles"),
        # Reservation search (audit14)
        ("Reservation search", "99-a11y-admin-reservations"),
    ],
)
def test_admin_areas(admin_page: Page, tab: str, name: str) -> None:
    admin_page.get_by_role("tab", name="Admin").click()
    admin_page.get_by_role("tab", name=tab).click()
    check(admin_page, name)


def test_notification_centre(admin_page: Page) -> None:
    admin_page.get_by_test_id("notifications").click()
    expect(admin_page.get_by_role("dialog")).to_be_visible()
    check(admin_page, "51-a11y-notifications")
    admin_page.keyboard.press("Escape")


@pytest.mark.parametrize("tab", ["Dashboard", "Resources", "Calendar"])
def test_phone_width(browser: Browser, site: Site, api: ApiClient, tab: str) -> None:
    api.ensure_setup()
    page, _ = new_page(browser, site)
    page.set_viewport_size(PHONE)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name=tab).click()
    if tab == "Calendar":
        expect(page.get_by_test_id("calendar")).to_have_attribute("data-total-ms", _digits())
    # Nothing is wider than the phone except what scrolls inside its own box (grids, tables)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, overflow
    check(page, f"52-a11y-phone-{tab.lower()}")
    page.context.close()


# observability (issue 15): the admin metrics panel
def test_admin_metrics_panel(admin_page: Page) -> None:
    admin_page.get_by_role("tab", name="Admin").click()
    admin_page.get_by_role("tab", name="Metrics").click()
    expect(admin_page.get_by_role("table", name="Worker queues")).to_be_visible()
    check(admin_page, "48-a11y-admin-metrics")


# Calendar feeds (issue 12): the profile dialog with its "Calendar feed" section.
def test_profile_with_calendar_feed(admin_page: Page) -> None:
    from tests.e2e.browser import open_account_menu

    open_account_menu(admin_page, "Profile and preferences")
    expect(admin_page.get_by_role("dialog").get_by_label("Feed URL")).not_to_have_value("")
    check(admin_page, "62-a11y-profile-calendar-feed")
    admin_page.keyboard.press("Escape")
