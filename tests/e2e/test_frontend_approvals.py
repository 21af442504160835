"""Approvals in the browser (issue 10): the approver's queue fills live when a request comes
in, the approver approves with a message, and the requester's My requests changes live; the
admin edits the approval chain and the check-in policy in the resource admin."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

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

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
LIVE_MS = 20000


def _user(api: ApiClient) -> tuple[str, str, str]:
    name = unique("user")
    api.register(name)
    token = api.login(name, USER_PASSWORD)
    return name, token, str(api.call("GET", "/api/v1/users/me", token)["id"])


def _signed_in(browser: Browser, site: Site, username: str, password: str = USER_PASSWORD) -> Page:
    page, _ = new_page(browser, site)
    sign_in(page, username, password)
    expect_dashboard(page)
    return page


def test_the_approvers_queue_and_the_requesters_screen_update_live(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    # Given a lab whose bookings the manager approves
    lab = api.create_resource(admin_api_token, unique("Lab"), requires_approval=True)
    manager, _, manager_id = _user(api)
    requester, requester_token, _ = _user(api)
    chain = {"steps": [{"users": [manager_id]}]}
    api.call(
        "PUT",
        f"/api/v1/approvals/resources/{lab['resource_id']}/chain",
        admin_api_token,
        json=chain,
    )
    # And both have their Approvals screen open
    approver_page = _signed_in(browser, site, manager)
    approver_page.get_by_role("tab", name="Approvals").click()
    queue = approver_page.get_by_role("list", name="Requests waiting for my decision")
    settled(approver_page)
    requester_page = _signed_in(browser, site, requester)
    requester_page.get_by_role("tab", name="Approvals").click()
    requester_page.get_by_role("tab", name="My requests").click()
    settled(requester_page)
    # When the requester asks for the lab (another client: the API)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    body = {
        "resource_id": lab["resource_id"],
        "start_time": start.isoformat(),
        "end_time": (start + timedelta(hours=1)).isoformat(),
    }
    rid = api.call("POST", "/api/v1/reservations", requester_token, json=body)["reservation_id"]
    # Then it enters the approver's queue and the requester's list without a reload
    request = queue.locator(f"li[data-reservation-id='{rid}']")
    expect(request).to_have_count(1, timeout=LIVE_MS)
    mine = requester_page.locator(f"li.mine[data-reservation-id='{rid}']")
    expect(mine).to_have_attribute("data-status", "pending", timeout=LIVE_MS)
    screenshot(approver_page, "64-approvals-queue")
    # When the approver approves it with a message
    request.get_by_role("button", name="Approve…").click()
    dialog = approver_page.get_by_role("dialog")
    dialog.get_by_label("Message to the requester", exact=False).fill("Enjoy the lab")
    screenshot(approver_page, "65-approve-dialog")
    dialog.get_by_role("button", name="Approve", exact=True).click()
    expect(approver_page.get_by_role("dialog")).to_have_count(0)
    # Then it leaves the queue, and the requester's screen shows it approved, with the message
    expect(request).to_have_count(0)
    expect(mine).to_have_attribute("data-status", "approved", timeout=LIVE_MS)
    expect(mine).to_contain_text("Enjoy the lab")
    screenshot(requester_page, "66-my-requests")
    approver_page.context.close()
    requester_page.context.close()


def test_the_admin_edits_the_approval_chain_and_the_check_in_policy(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    lab = api.create_resource(admin_api_token, unique("Chain lab"))
    manager, _, manager_id = _user(api)
    page = _signed_in(browser, site, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.get_by_role("tab", name="Admin").click()
    admin = page.get_by_role("tabpanel", name="Resources").last
    admin.get_by_label("Filter by name").fill(str(lab["name"]))
    settled(page)
    admin.get_by_role("button", name=f"Approval chain {lab['name']}").click()
    dialog = page.get_by_role("dialog", name=re.compile("Approval chain"))
    dialog.get_by_label("Bookings need approval").check()
    dialog.get_by_role("button", name="Add a step").click()
    dialog.get_by_label(re.compile("Step 1: users")).fill(manager)
    dialog.get_by_role("button", name="Add a step").click()
    dialog.locator("li.chain-step").nth(1).get_by_label("admin").check()
    dialog.get_by_label(re.compile("Expire undecided")).fill("48")
    screenshot(page, "67-approval-chain-editor")
    dialog.get_by_role("button", name="Save chain").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    chain = api.call(
        "GET", f"/api/v1/approvals/resources/{lab['resource_id']}/chain", admin_api_token
    )
    assert chain["steps"] == [
        {"users": [manager_id], "roles": []},
        {"users": [], "roles": ["admin"]},
    ]
    assert chain["requires_approval"] is True and chain["expiry_hours"] == 48
    # The check-in policy, from the same row
    admin.get_by_role("button", name=f"Check-in {lab['name']}").click()
    dialog = page.get_by_role("dialog", name=re.compile("Check-in"))
    dialog.get_by_label(re.compile("Check-in required")).check()
    dialog.get_by_label(re.compile("Window opens")).fill("20")
    dialog.get_by_label(re.compile("Strikes")).fill("2")
    screenshot(page, "68-check-in-policy-editor")
    dialog.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    policy = api.call("GET", f"/api/v1/resources/{lab['resource_id']}/check-in", admin_api_token)
    assert policy == {
        "required": True,
        "opens_before_minutes": 20,
        "closes_after_minutes": 15,
        "no_show_strikes": 2,
    }
    page.context.close()
