"""Approvals on the running local stack, through the real event pipeline (issue 10):
a two-step chain decided from the approver's emailed one-click link and the API, an approval
that auto-rejects the overlapping request, and a stale request expired by its job. The
requester hears of each outcome in-app and by email."""

from __future__ import annotations

import email
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from infra.local.stack import RunningStack
from tests.e2e.browser import ApiClient, create_room
from tests.e2e.helpers import eventually
from tests.e2e.test_pipeline import member as verified_member

pytestmark = pytest.mark.e2e
WAIT = 20.0
LINK = re.compile(r"/api/v1/approvals/email/([A-Za-z0-9_.-]+)")


@pytest.fixture(scope="module")
def api(stack: RunningStack) -> Iterator[ApiClient]:
    client = ApiClient(stack.urls["api"], stack.setup_token)
    yield client
    client.close()


@pytest.fixture(scope="module")
def admin(api: ApiClient) -> str:
    return api.ensure_admin()


def member(stack: RunningStack, api: ApiClient) -> tuple[str, str, str]:
    """A new user with a verified mailbox (through the real link): (token, user id, email)."""
    token, address = verified_member(stack, api)
    return token, str(api.call("GET", "/api/v1/users/me", token)["id"]), address


def lab(api: ApiClient, admin: str, *steps: list[str], **extra: Any) -> str:
    rid = str(create_room(api, admin)["resource_id"])
    body = {"steps": [{"users": step} for step in steps], **extra}
    api.call("PUT", f"/api/v1/approvals/resources/{rid}/chain", admin, json=body)
    return rid


def request(api: ApiClient, token: str, resource_id: str, start: datetime, minutes: int) -> str:
    body = {
        "resource_id": resource_id,
        "start_time": start.isoformat(),
        "end_time": (start + timedelta(minutes=minutes)).isoformat(),
    }
    booked = api.call("POST", "/api/v1/reservations", token, json=body)
    assert booked["status"] == "pending_approval"
    return str(booked["reservation_id"])


def mails_to(stack: RunningStack, address: str) -> list[tuple[str, str]]:
    """(subject, plain text) of every message sent to `address`."""
    with urllib.request.urlopen(f"{stack.aws_url}/moto-api/data.json") as response:
        data = json.load(response)
    found = []
    for sent in data.get("ses", {}).get("RawMessage", []):
        message = email.message_from_string(sent["raw_data"])
        if address not in str(message["To"]):
            continue
        text = ""
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text += part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        found.append((str(message["Subject"]), text))
    return found


def link_for(stack: RunningStack, address: str, reservation_id: str) -> str | None:
    for subject, text in mails_to(stack, address):
        match = LINK.search(text)
        if subject.startswith("Approval needed") and match and reservation_id in match.group(1):
            return match.group(1)
    return None


def status(api: ApiClient, token: str, reservation_id: str) -> str:
    return str(api.call("GET", f"/api/v1/reservations/{reservation_id}", token)["status"])


def kinds(api: ApiClient, token: str) -> list[str]:
    return [n["kind"] for n in api.call("GET", "/api/v1/notifications", token)["items"]]


def subjects(stack: RunningStack, address: str) -> list[str]:
    return [subject for subject, _ in mails_to(stack, address)]


def day_ahead(days: int, hour: int) -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour)


def test_two_steps_decided_by_email_link_then_api(
    stack: RunningStack, api: ApiClient, admin: str
) -> None:
    alice, _, alice_mail = member(stack, api)
    _, manager_id, manager_mail = member(stack, api)
    officer, officer_id, officer_mail = member(stack, api)
    rid = lab(api, admin, [manager_id], [officer_id])
    mine = request(api, alice, rid, day_ahead(4, 9), 60)
    # The manager is emailed a one-click link; its GET only shows the request
    token = eventually(lambda: link_for(stack, manager_mail, mine), WAIT)
    base = stack.urls["api"]
    page = httpx.get(f"{base}/api/v1/approvals/email/{token}")
    assert page.status_code == 200 and "Approve" in page.text
    assert status(api, alice, mine) == "pending_approval"
    # Its POST approves step 0; the officer is emailed in turn
    acted = httpx.post(f"{base}/api/v1/approvals/email/{token}", data={"decision": "approve"})
    assert acted.status_code == 200, acted.text
    again = httpx.post(f"{base}/api/v1/approvals/email/{token}", data={"decision": "approve"})
    assert again.status_code == 410
    eventually(lambda: link_for(stack, officer_mail, mine), WAIT)
    assert status(api, alice, mine) == "pending_approval"
    # The officer approves through the API: the reservation is confirmed
    body = {"decision": "approve", "message": "safety ok"}
    done = api.call("POST", f"/api/v1/approvals/{mine}/respond", officer, json=body)
    assert done["status"] == "approved" and status(api, alice, mine) == "active"
    # And alice hears of it in-app and by email
    eventually(lambda: "approval.approved" in kinds(api, alice), WAIT)
    eventually(lambda: "Reservation approved" in " ".join(subjects(stack, alice_mail)), WAIT)


def test_approving_one_request_rejects_the_overlapping_one(
    stack: RunningStack, api: ApiClient, admin: str
) -> None:
    alice, _, _ = member(stack, api)
    bob, _, bob_mail = member(stack, api)
    manager, manager_id, _ = member(stack, api)
    rid = lab(api, admin, [manager_id])
    alices = request(api, alice, rid, day_ahead(5, 10), 60)
    bobs = request(api, bob, rid, day_ahead(5, 10) + timedelta(minutes=30), 60)
    api.call("POST", f"/api/v1/approvals/{alices}/respond", manager, json={"decision": "approve"})
    assert status(api, alice, alices) == "active"
    assert status(api, bob, bobs) == "rejected"
    eventually(lambda: "approval.rejected" in kinds(api, bob), WAIT)
    eventually(lambda: "Reservation not approved" in " ".join(subjects(stack, bob_mail)), WAIT)
    note = next(
        n for n in api.call("GET", "/api/v1/notifications", bob)["items"]
        if n["kind"] == "approval.rejected"
    )  # fmt: skip
    assert "overlapping" in note["body"]


def test_a_stale_request_is_expired_by_its_job_and_the_requester_told(
    stack: RunningStack, api: ApiClient, admin: str
) -> None:
    alice, _, alice_mail = member(stack, api)
    _, manager_id, _ = member(stack, api)
    rid = lab(api, admin, [manager_id])
    # A request whose start comes before anyone decides it
    start = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    mine = request(api, alice, rid, start, 30)
    time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 1)
    result = api.call("POST", "/api/v1/admin/jobs/expire-approvals/run", admin)
    assert result["result"]["expired"] >= 1, result
    assert status(api, alice, mine) == "expired"
    eventually(lambda: "approval.expired" in kinds(api, alice), WAIT)
    eventually(lambda: "Reservation request expired" in " ".join(subjects(stack, alice_mail)), WAIT)
