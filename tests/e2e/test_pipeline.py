"""The event pipeline on the running local stack (real HTTP, DynamoDB Local, moto server, the
event pump): a booking and a cancellation each reach the notification centre, SES, a signed
webhook and the audit log; a failing receiver is retried into the DLQ and blocks nobody."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.pipeline.webhooks import verify
from infra.local.stack import RunningStack
from tests.e2e.browser import USER_PASSWORD, ApiClient, create_room, unique
from tests.e2e.helpers import eventually
from tests.e2e.mailbox import messages_to, verification_link
from tests.integration.webhook_receiver import Receiver, running_receiver

pytestmark = pytest.mark.e2e
WAIT = 20.0


@pytest.fixture(scope="module")
def api(stack: RunningStack) -> Iterator[ApiClient]:
    client = ApiClient(stack.urls["api"], stack.setup_token)
    yield client
    client.close()


@pytest.fixture(scope="module")
def admin(api: ApiClient) -> str:
    return api.ensure_admin()


@pytest.fixture(scope="module")
def room(api: ApiClient, admin: str) -> dict[str, Any]:
    return create_room(api, admin)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def member(stack: RunningStack, api: ApiClient) -> tuple[str, str]:
    """A new user with a verified mailbox (through the real link); returns (token, email)."""
    username = unique("pipe")
    address = f"{username}@example.com"
    api.call(
        "POST",
        "/api/v1/register",
        json={"username": username, "password": USER_PASSWORD, "email": address},
    )
    link = eventually(lambda: verification_link(stack, address), WAIT)
    # The link opens a page that changes nothing; its button posts the token
    assert "Confirm my email address" in api.http.get(link).text
    token = parse_qs(urlsplit(link).query)["token"][0]
    confirmed = api.call("POST", "/api/v1/auth/verify-email", json={"token": token})
    assert confirmed == {"email": address, "email_verified": True}
    return api.login(username, USER_PASSWORD), address


def subscribe(api: ApiClient, admin: str, token: str, receiver: Receiver) -> dict[str, Any]:
    """A webhook on a local receiver, whose port an admin allow-lists for that webhook only."""
    body = {"url": receiver.url, "events": ["reservation.created", "reservation.cancelled"]}
    hook: dict[str, Any] = api.call("POST", "/api/v1/webhooks", token, json=body)
    allow = {"network": "127.0.0.1/32", "port": receiver.port, "webhook_id": hook["webhook_id"]}
    api.call("POST", "/api/v1/admin/webhook-allowlist", admin, json=allow)
    return hook


def book(api: ApiClient, token: str, resource_id: str, hour: int) -> str:
    day = (date.today() + timedelta(days=3)).isoformat()
    body = {
        "resource_id": resource_id,
        "start_time": f"{day}T{hour:02d}:00:00+01:00",
        "end_time": f"{day}T{hour:02d}:30:00+01:00",
    }
    return str(api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"])


def kinds(api: ApiClient, token: str) -> list[str]:
    return [n["kind"] for n in api.call("GET", "/api/v1/notifications", token)["items"]]


def subjects_to(stack: RunningStack, address: str) -> list[str]:
    return [str(m["Subject"]) for m in messages_to(stack, address)]


def webhook_events(receiver: Receiver, secret: str) -> list[tuple[str, str]]:
    """(event name, reservation id) of every verified delivery the receiver got."""
    seen = []
    for request in receiver.received:
        headers = {k.lower(): v for k, v in request.headers.items()}
        timestamp = int(headers["x-webhook-signature"].split(",")[0].removeprefix("t="))
        assert verify(secret, headers["x-webhook-signature"], request.body, now=timestamp)
        envelope = json.loads(request.body)
        seen.append((envelope["metadata"]["event_name"], envelope["data"]["reservation_id"]))
    return seen


def audit_actions(api: ApiClient, admin: str, reservation_id: str) -> list[str]:
    path = f"/api/v1/audit/entity/reservation/{reservation_id}"
    return [e["action"] for e in api.call("GET", path, admin)["items"]]


def test_book_then_cancel_reaches_every_channel(
    stack: RunningStack, api: ApiClient, admin: str, room: dict[str, Any], receiver: Receiver
) -> None:
    # Given a member with a mailbox and a webhook on an allow-listed local receiver
    token, address = member(stack, api)
    hook = subscribe(api, admin, token, receiver)
    # When they book
    reservation_id = book(api, token, room["resource_id"], 10)
    # Then the notification is listed, the email sent, the signed webhook received, the
    # audit entry written
    eventually(lambda: "reservation.created" in kinds(api, token), WAIT)
    eventually(
        lambda: any(s.startswith("Reservation confirmed") for s in subjects_to(stack, address)),
        WAIT,
    )
    eventually(
        lambda: ("reservation.created", reservation_id) in webhook_events(receiver, hook["secret"]),
        WAIT,
    )
    eventually(lambda: "created" in audit_actions(api, admin, reservation_id), WAIT)
    # When they cancel, Then the same four things happen for the cancellation
    api.call("POST", f"/api/v1/reservations/{reservation_id}/cancel", token, json={"reason": "e2e"})
    eventually(lambda: "reservation.cancelled" in kinds(api, token), WAIT)
    eventually(
        lambda: any(s.startswith("Reservation cancelled") for s in subjects_to(stack, address)),
        WAIT,
    )
    eventually(
        lambda: (
            ("reservation.cancelled", reservation_id) in webhook_events(receiver, hook["secret"])
        ),
        WAIT,
    )
    eventually(lambda: "cancelled" in audit_actions(api, admin, reservation_id), WAIT)


def test_a_failing_receiver_is_retried_into_the_dlq_and_blocks_nobody(
    stack: RunningStack, api: ApiClient, admin: str, room: dict[str, Any], receiver: Receiver
) -> None:
    # Given Bob's webhook on a receiver that always fails, and Ada's on a healthy one
    with running_receiver() as broken:
        broken.status = 503
        bob, _ = member(stack, api)
        ada, _ = member(stack, api)
        bob_hook = subscribe(api, admin, bob, broken)
        ada_hook = subscribe(api, admin, ada, receiver)
        # When both book
        book(api, bob, room["resource_id"], 12)
        ada_booking = book(api, ada, room["resource_id"], 14)
        # Then Ada's delivery arrives while Bob's is still being retried
        eventually(
            lambda: (
                ("reservation.created", ada_booking) in webhook_events(receiver, ada_hook["secret"])
            ),
            WAIT,
        )
        # And Bob's fails after six attempts and lands in the deliveries DLQ
        path = f"/api/v1/webhooks/{bob_hook['webhook_id']}/deliveries"
        failed = eventually(
            lambda: [d for d in api.call("GET", path, bob)["items"] if d["status"] == "failed"],
            60.0,
            every=0.5,
        )
        assert len(failed[0]["attempts"]) == 6 and len(broken.received) == 6
        assert {a["status_code"] for a in failed[0]["attempts"]} == {503}
        dead = api.call("GET", "/api/v1/admin/dead-letters", admin)
        deliveries_dlq = next(q for q in dead if q["queue"] == "reserver-webhook-deliveries")
        assert deliveries_dlq["approximate_count"] >= 1
