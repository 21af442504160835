"""The waitlist on the running local stack, through the real worker pipeline (DynamoDB Local
stream -> event pump -> stream handler -> EventBridge -> reserver-waitlist SQS -> worker):
join, cancel -> offer -> accept; decline -> next; offer -> expiry job -> next; auto-book. The
user hears of the offer in-app and by email; the table is read back at the end: no two
occupying reservations overlap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import combinations
from typing import Any

import pytest

from infra.local.stack import RunningStack
from tests.e2e.browser import USER_PASSWORD, ApiClient, create_room, unique
from tests.e2e.helpers import eventually
from tests.e2e.test_pipeline import kinds, subjects_to
from tests.e2e.test_pipeline import member as verified_member

pytestmark = pytest.mark.e2e
WAIT = 20.0
OCCUPYING = {"active", "pending_approval", "held", "checked_in"}


@pytest.fixture(scope="module")
def api(stack: RunningStack) -> Iterator[ApiClient]:
    client = ApiClient(stack.urls["api"], stack.setup_token)
    yield client
    client.close()


@pytest.fixture(scope="module")
def admin(api: ApiClient) -> str:
    return api.ensure_admin()


@pytest.fixture
def room(api: ApiClient, admin: str) -> dict[str, Any]:
    return create_room(api, admin)


def member(api: ApiClient) -> tuple[str, str]:
    username = unique("wl")
    address = f"{username}@example.com"
    body = {"username": username, "password": USER_PASSWORD, "email": address}
    api.call("POST", "/api/v1/register", json=body)
    return api.login(username, USER_PASSWORD), address


def window(hour: int) -> dict[str, str]:
    day = (date.today() + timedelta(days=4)).isoformat()
    return {"start_time": f"{day}T{hour:02d}:00:00Z", "end_time": f"{day}T{hour:02d}:45:00Z"}


def book(api: ApiClient, token: str, room: dict[str, Any], hour: int) -> str:
    body = {"resource_id": room["resource_id"], **window(hour)}
    return str(api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"])


def join(api: ApiClient, token: str, room: dict[str, Any], hour: int, **kw: Any) -> str:
    body = {"resource_id": room["resource_id"], **window(hour), **kw}
    return str(api.call("POST", "/api/v1/waitlist", token, json=body)["entry_id"])


def status_of(api: ApiClient, token: str, entry_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.call("GET", f"/api/v1/waitlist/{entry_id}", token)
    return found


def becomes(api: ApiClient, token: str, entry_id: str, status: str) -> dict[str, Any]:
    return eventually(
        lambda: (e := status_of(api, token, entry_id)) and e["status"] == status and e, WAIT
    )


def cancel(api: ApiClient, token: str, reservation_id: str) -> None:
    api.call("POST", f"/api/v1/reservations/{reservation_id}/cancel", token, json={})


def assert_no_overlap(api: ApiClient, admin: str, room: dict[str, Any]) -> None:
    path = f"/api/v1/resources/{room['resource_id']}/schedule"
    day = date.today() + timedelta(days=4)
    blocks = api.call("GET", path, admin, params={"from": f"{day}T00:00:00Z", "limit": 100})
    busy = [b for b in blocks["items"] if b["status"] in OCCUPYING]
    for a, b in combinations(busy, 2):
        assert not (a["start_time"] < b["end_time"] and b["start_time"] < a["end_time"]), (a, b)


def test_cancel_offer_accept(
    stack: RunningStack, api: ApiClient, admin: str, room: dict[str, Any]
) -> None:
    owner, _ = member(api)
    waiter, address = verified_member(stack, api)
    rid = book(api, owner, room, 9)
    entry_id = join(api, waiter, room, 9)
    cancel(api, owner, rid)
    offered = becomes(api, waiter, entry_id, "offered")
    eventually(lambda: "waitlist.offered" in kinds(api, waiter), WAIT)
    eventually(lambda: any("A slot is free" in s for s in subjects_to(stack, address)), WAIT)
    accepted = api.call("POST", f"/api/v1/waitlist/{entry_id}/accept", waiter)
    assert accepted["reservation"]["status"] == "active"
    assert accepted["reservation"]["reservation_id"] == offered["offer"]["reservation_id"]
    eventually(lambda: "waitlist.accepted" in kinds(api, waiter), WAIT)
    assert_no_overlap(api, admin, room)


def test_decline_then_expiry_pass_it_on(api: ApiClient, admin: str, room: dict[str, Any]) -> None:
    ttl = {"offer_ttl_minutes": 0.05}  # 3 s
    api.call("PUT", f"/api/v1/resources/{room['resource_id']}/waitlist", admin, json=ttl)
    owner, _ = member(api)
    (first, _), (second, _), (third, _) = member(api), member(api), member(api)
    rid = book(api, owner, room, 11)
    entries = [join(api, token, room, 11) for token in (first, second, third)]
    cancel(api, owner, rid)
    becomes(api, first, entries[0], "offered")
    api.call("POST", f"/api/v1/waitlist/{entries[0]}/decline", first)
    # the second in line gets it (its 3 s may run out before a loaded machine polls: then the
    # stack's minutely expiry job has already lapsed it, which proves the offer as well)
    eventually(lambda: status_of(api, second, entries[1])["status"] in {"offered", "lapsed"}, WAIT)

    # the offer's 3 s pass; the expiry job (run now by an admin, as the schedule would; the
    # stack's own minutely run may get there first, so either lapses it)
    def lapsed() -> bool:
        run = api.call("POST", "/api/v1/admin/jobs/expire-waitlist-offers/run", admin)
        return (
            bool(run["result"]["lapsed"])
            or status_of(api, second, entries[1])["status"] == "lapsed"
        )

    eventually(lapsed, WAIT, every=0.5)
    becomes(api, second, entries[1], "lapsed")
    third_offer = becomes(api, third, entries[2], "offered")
    assert third_offer["position"] == 1
    assert_no_overlap(api, admin, room)


def test_auto_book(api: ApiClient, admin: str, room: dict[str, Any]) -> None:
    owner, _ = member(api)
    waiter, _ = member(api)
    rid = book(api, owner, room, 14)
    entry_id = join(api, waiter, room, 14, auto_book=True)
    cancel(api, owner, rid)
    done = becomes(api, waiter, entry_id, "booked")
    booking = api.call("GET", f"/api/v1/reservations/{done['reservation_id']}", waiter)
    assert booking["status"] == "active"
    assert_no_overlap(api, admin, room)
