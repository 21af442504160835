"""The web frontend in a real browser against the running local stack: accounts and browsing.

A person's path through the product: first-run setup, register, sign in, browse resources,
live updates, preferences, two-step verification enforced at sign-in, the session across a
reload, keyboard use. API calls only arrange state (a resource, a second user); what is
asserted is what the page shows. Booking: test_frontend_booking.py; admin screens:
test_frontend_admin.py. This module runs first (file order): it is the one that sees the
setup screen of the session's fresh stack.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    USER_PASSWORD,
    ApiClient,
    Site,
    day_after_tomorrow_at,
    expect_dashboard,
    new_page,
    open_account_menu,
    resource_card,
    screenshot,
    settled,
    sign_in,
    sign_out,
    signed_in_user,
    totp_code,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PARIS = ZoneInfo("Europe/Paris")


def test_first_run_setup_creates_the_first_admin(
    site: Site, browser: Browser, api: ApiClient
) -> None:
    # Given a stack where no administrator exists (conftest runs this test first)
    assert not api.setup_complete()
    page, console = new_page(browser, site)
    expect(page.get_by_role("heading", name="Set up Resource Reserver")).to_be_visible()
    # When a too-weak password is typed, the policy hints say what is missing
    page.get_by_label("Administrator username").fill(ADMIN_USERNAME)
    page.get_by_label("Password", exact=True).fill("short")
    expect(page.get_by_text("At least 10 characters (not met yet)")).to_be_visible()
    screenshot(page, "01-setup")
    # And without the setup token `make run` printed, nobody becomes administrator
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Repeat the password").fill(ADMIN_PASSWORD)
    page.get_by_label("Setup token").fill("rrsetup_a-guess")
    page.get_by_role("button", name="Create administrator").click()
    expect(page.get_by_text("invalid_setup_token", exact=False)).to_be_visible()
    assert not api.setup_complete()
    # And with it the administrator is created
    assert site.setup_token
    page.get_by_label("Setup token").fill(site.setup_token)
    page.get_by_role("button", name="Create administrator").click()
    # Then they land on the dashboard, with the Admin tab, and setup is complete for the API
    expect_dashboard(page)
    expect(page.get_by_role("tab", name="Admin")).to_be_visible()
    assert api.setup_complete()
    assert console.errors == []
    page.context.close()


def test_register_sign_in_and_browse_resources(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given the sign-in screen
    page, console = new_page(browser, site)
    expect(page.get_by_role("tab", name="Sign in")).to_be_visible()
    screenshot(page, "02-sign-in")
    # When a new user registers
    username = unique("reader")
    page.get_by_role("tab", name="Register").click()
    form = page.get_by_role("form", name="Register")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password", exact=True).fill(USER_PASSWORD)
    form.get_by_label("Repeat the password").fill(USER_PASSWORD)
    form.get_by_role("button", name="Create account").click()
    # Then they are signed in, see the resource, and have no Admin tab
    expect_dashboard(page)
    card = resource_card(page, str(room["name"]))
    expect(card).to_contain_text("Projector and whiteboard")
    expect(card).to_contain_text("North, floor 2, room 201")
    expect(page.get_by_role("tab", name="Admin")).to_have_count(0)
    screenshot(page, "03-resources")
    # When they sign out and sign in again through the Sign in tab
    sign_out(page)
    sign_in(page, username, USER_PASSWORD)
    # Then the dashboard is back
    expect_dashboard(page)
    assert console.errors == []
    page.context.close()


def test_the_live_indicator_connects_and_pushes_arrive(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given a signed-in user
    page, username = signed_in_user(browser, site, api)
    # Then the WebSocket authenticates with its first message and the header says so
    indicator = page.get_by_test_id("live-indicator")
    expect(indicator).to_have_attribute("data-state", "connected")
    expect(indicator).to_contain_text("connected")
    # When they book from another client (the API)
    start = datetime.fromisoformat(day_after_tomorrow_at(8)).replace(tzinfo=PARIS)
    body = {
        "resource_id": room["resource_id"],
        "start_time": start.isoformat(),
        "end_time": (start + timedelta(minutes=30)).isoformat(),
    }
    api.call("POST", "/api/v1/reservations", api.login(username, USER_PASSWORD), json=body)
    # Then the notification is pushed (stream -> bus -> queue -> worker -> WebSocket)
    bell = page.get_by_test_id("notifications")
    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread", timeout=15000)
    # And the notification centre lists it; marking it read clears the count
    bell.click()
    centre = page.get_by_role("dialog")
    expect(centre.locator("li.unread")).to_have_count(1)
    centre.get_by_role("button", name="Mark all as read").click()
    expect(bell).to_have_attribute("aria-label", "Notifications, 0 unread")
    page.context.close()


def test_search_tags_and_load_more(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given 13 resources sharing a name prefix, one of them tagged "rare"
    prefix = unique("Desk")
    for number in range(13):
        tags = ["rare"] if number == 0 else ["common"]
        api.create_resource(admin_api_token, f"{prefix} {number:02d}", tags=tags)
    page, _ = signed_in_user(browser, site, api)
    # When searching for the prefix
    page.get_by_label("Search resources").fill(prefix)
    settled(page)
    cards = page.locator("li.resource", has_text=prefix)
    # Then a first page of 12 shows, and "Load more" fetches the 13th with the cursor
    expect(cards).to_have_count(12)
    page.get_by_role("button", name="Load more").click()
    settled(page)
    expect(cards).to_have_count(13)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    # When filtering by the "rare" tag as well
    page.get_by_role("checkbox", name=re.compile(r"^rare")).check()
    settled(page)
    # Then only the tagged one remains
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(f"{prefix} 00")
    page.context.close()


def test_preferences_and_password_change(site: Site, browser: Browser, api: ApiClient) -> None:
    # Given a signed-in user
    page, username = signed_in_user(browser, site, api)
    # When they set their email, reminders and time zone in the profile dialog
    open_account_menu(page, "Profile and preferences")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email", exact=True).fill(f"{username}@example.org")
    dialog.get_by_label("Email me about my reservations").check()
    dialog.get_by_label("Reminder before a reservation", exact=False).fill("2")
    dialog.get_by_label("Time zone for emails and reminders").select_option("America/New_York")
    dialog.get_by_role("button", name="Save preferences").click()
    expect(page.locator("#toast")).to_contain_text("Preferences saved")
    # Then the API has them
    me = api.call("GET", "/api/v1/users/me", api.login(username, USER_PASSWORD))
    assert (me["email"], me["email_notifications"], me["reminder_hours"], me["timezone"]) == (
        f"{username}@example.org",
        True,
        2,
        "America/New_York",
    )
    # When they change their password in the same dialog
    new_password = "Another-Secret-99"
    form = page.get_by_role("dialog").get_by_role("form", name="Change password")
    form.get_by_label("Current password").fill(USER_PASSWORD)
    form.get_by_label("New password", exact=True).fill(new_password)
    form.get_by_label("Repeat the new password").fill(new_password)
    form.get_by_role("button", name="Change password").click()
    # Then they are signed out, and only the new password works
    expect(page.get_by_text("Password changed. Sign in with the new password.")).to_be_visible()
    assert api.login(username, new_password)
    stale = api.http.post("/api/v1/token", json={"username": username, "password": USER_PASSWORD})
    assert stale.status_code == 401
    page.context.close()


def test_mfa_enable_then_sign_in_requires_the_code(
    site: Site, browser: Browser, api: ApiClient
) -> None:
    # Given a signed-in user
    page, username = signed_in_user(browser, site, api)
    # When they set up two-step verification from the account menu
    open_account_menu(page, "Two-step verification (MFA)")
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Set up two-step verification").click()
    expect(dialog.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = dialog.get_by_test_id("mfa-secret").inner_text().strip()
    backup_code = dialog.get_by_test_id("backup-codes").locator("code").first.inner_text().strip()
    screenshot(page, "07-mfa-setup")
    # (the previous 30 s step: the next sign-in uses the current one, replays are refused)
    dialog.get_by_label("Code from the app").fill(totp_code(secret, steps_ahead=-1))
    dialog.get_by_role("button", name="Verify and turn on").click()
    expect(dialog).to_contain_text("Two-step verification is ON")
    dialog.get_by_role("button", name="Close").click()
    sign_out(page)

    # Then the API refuses a password-only login
    response = api.http.post(
        "/api/v1/token", json={"username": username, "password": USER_PASSWORD}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (401, "mfa_required")
    # And the UI asks for the code after the password
    sign_in(page, username, USER_PASSWORD)
    code_input = page.get_by_label("Verification code")
    expect(code_input).to_be_visible()
    screenshot(page, "08-mfa-prompt")
    # When a wrong code is given, the error is shown and the user stays signed out
    code_input.fill("000000" if totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("invalid_otp")
    # When the right code is given, they are in
    code_input.fill(totp_code(secret))
    page.get_by_role("button", name="Verify and sign in").click()
    expect_dashboard(page)
    # And a backup code works too
    sign_out(page)
    sign_in(page, username, USER_PASSWORD)
    page.get_by_label("Verification code").fill(backup_code)
    page.get_by_role("button", name="Verify and sign in").click()
    expect_dashboard(page)
    # When they turn it off with their password and a code (the next step: no replay)
    open_account_menu(page, "Two-step verification (MFA)")
    turn_off = page.get_by_role("dialog").get_by_role("form", name="Turn off")
    turn_off.get_by_label("Password").fill(USER_PASSWORD)
    turn_off.get_by_label("Code from the app").fill(totp_code(secret, steps_ahead=1))
    turn_off.get_by_role("button", name="Turn off two-step verification").click()
    expect(page.get_by_role("dialog")).to_contain_text("Two-step verification is OFF")
    # Then a password is enough again
    assert api.login(username, USER_PASSWORD)
    page.context.close()


def test_session_survives_a_reload_and_keeps_the_access_token_out_of_storage(
    site: Site, browser: Browser, api: ApiClient
) -> None:
    # Given a signed-in user
    page, _ = signed_in_user(browser, site, api)
    # When the page is reloaded
    page.reload()
    # Then the session resumes from the refresh token
    expect_dashboard(page)
    # And only the refresh token is stored (sessionStorage), no cookie, nothing in localStorage
    storage = page.evaluate(
        "() => ({session: Object.keys(sessionStorage), local: localStorage.length,"
        " cookie: document.cookie})"
    )
    assert storage == {"session": ["reserver.refresh_token"], "local": 0, "cookie": ""}
    page.context.close()


def test_keyboard_only_use(
    site: Site, browser: Browser, api: ApiClient, room: dict[str, Any]
) -> None:
    # Given a signed-in user
    page, _ = signed_in_user(browser, site, api)
    # When they move between tabs with the arrow keys
    page.get_by_role("tab", name="Resources").focus()
    page.keyboard.press("ArrowRight")
    # Then the next tab is selected and focused
    mine = page.get_by_role("tab", name="My reservations")
    expect(mine).to_have_attribute("aria-selected", "true")
    expect(mine).to_be_focused()
    # When they open the account menu with Enter and move with the arrows
    toggle = page.get_by_role("button", name="Account menu", exact=False)
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Profile and preferences")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Two-step verification (MFA)")).to_be_focused()
    # Then Escape closes it and gives focus back to the toggle
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_be_hidden()
    expect(toggle).to_be_focused()
    # And a dialog opened with the keyboard closes with Escape, focus back on its opener
    reserve = resource_card(page, str(room["name"])).get_by_role("button", name="Reserve")
    reserve.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog").get_by_label("Start")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(reserve).to_be_focused()
    page.context.close()
