"""Approvals (issue 10) through the API on moto: chains, respond, auto-rejection, withdraw,
queues, jobs, one-click links, and bad input answered 4xx JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.reservations.approvals import ApprovalStore
from chalicelib.store.reservations.repository import ReservationStore
from tests.factories import error_code, post_form, register_and_login, setup_admin, user_id_of
from tests.integration.reservations_kit import at, book, booked, create_resource, send

BASE = "/api/v1/approvals"


@dataclass
class People:
    admin: str
    alice: str
    bob: str
    manager: str
    officer: str
    ids: dict[str, str]


@pytest.fixture
def people(client: Client, clock: FrozenClock) -> People:
    admin = setup_admin(client)
    tokens = {n: register_and_login(client, n) for n in ("alice", "bob", "manager", "officer")}
    ids = {n: user_id_of(client, t) for n, t in tokens.items()}
    create_resource("lab", requires_approval=True)
    return People(admin, tokens["alice"], tokens["bob"], tokens["manager"], tokens["officer"], ids)


def set_chain(client: Client, p: People, *steps: list[str], **extra: Any) -> Any:
    body = {"steps": [{"users": [p.ids[n] for n in step]} for step in steps], **extra}
    return send(client, "PUT", f"{BASE}/resources/lab/chain", p.admin, body)


def respond(client: Client, token: str, rid: str, decision: str, message: str = "") -> Any:
    body = {"decision": decision, "message": message}
    return send(client, "POST", f"{BASE}/{rid}/respond", token, body)


def status_of(client: Client, token: str, rid: str) -> str:
    response = send(client, "GET", f"/api/v1/reservations/{rid}", token)
    return str(response.json_body["status"])


def test_a_two_step_chain_needs_both_steps_in_order(client: Client, people: People) -> None:
    # Given the lab's manager, then the safety officer
    assert set_chain(client, people, ["manager"], ["officer"]).status_code == 200
    rid = booked(client, people.alice, at(10), at(11), resource_id="lab")
    assert status_of(client, people.alice, rid) == "pending_approval"
    # The officer cannot decide step 0; the requester never decides her own
    assert respond(client, people.officer, rid, "approve").status_code == 403
    assert error_code(respond(client, people.alice, rid, "approve")) == "own_request"
    # When the manager approves, the request moves to step 1 and is still pending
    first = respond(client, people.manager, rid, "approve", "ok by me")
    assert first.status_code == 200 and first.json_body["step"] == 1
    assert status_of(client, people.alice, rid) == "pending_approval"
    # The officer's queue now has it; the manager's no longer
    queue = send(client, "GET", f"{BASE}/pending", people.officer).json_body["items"]
    assert [i["reservation_id"] for i in queue] == [rid]
    assert send(client, "GET", f"{BASE}/pending", people.manager).json_body["items"] == []
    # Then the officer's approval confirms the reservation
    done = respond(client, people.officer, rid, "approve")
    assert done.status_code == 200 and done.json_body["status"] == "approved"
    assert status_of(client, people.alice, rid) == "active"
    # And deciding again is a 409
    assert respond(client, people.officer, rid, "approve").status_code == 409
    mine = send(client, "GET", f"{BASE}/my-requests", people.alice).json_body["items"]
    assert [(i["status"], len(i["decisions"])) for i in mine] == [("approved", 2)]


def test_approving_one_rejects_the_overlapping_requests(client: Client, people: People) -> None:
    set_chain(client, people, ["manager"])
    alices = booked(client, people.alice, at(10), at(11), resource_id="lab")
    bobs = booked(client, people.bob, at(10, 30), at(11, 30), resource_id="lab")
    later = booked(client, people.bob, at(12), at(13), resource_id="lab")
    assert respond(client, people.manager, alices, "approve").status_code == 200
    assert status_of(client, people.alice, alices) == "active"
    assert status_of(client, people.bob, bobs) == "rejected"
    assert status_of(client, people.bob, later) == "pending_approval"
    rejected = send(client, "GET", f"{BASE}/{bobs}", people.bob).json_body
    assert rejected["closed_by"] == "system" and "overlapping" in rejected["closed_reason"]
    # A new request over the approved one is refused at once
    assert book(client, people.bob, at(10), at(11), resource_id="lab").status_code == 409


def test_a_rejection_at_the_first_step_ends_the_request(client: Client, people: People) -> None:
    set_chain(client, people, ["manager"], ["officer"])
    rid = booked(client, people.alice, at(10), at(11), resource_id="lab")
    assert respond(client, people.manager, rid, "reject", "not this week").status_code == 200
    assert status_of(client, people.alice, rid) == "rejected"
    assert respond(client, people.officer, rid, "approve").status_code == 409


def test_the_legacy_chain_is_any_admin_and_withdraw_cancels(client: Client, people: People) -> None:
    rid = booked(client, people.alice, at(10), at(11), resource_id="lab")
    assert respond(client, people.manager, rid, "approve").status_code == 403
    assert send(client, "POST", f"{BASE}/{rid}/withdraw", people.bob, {}).status_code == 404
    gone = send(client, "POST", f"{BASE}/{rid}/withdraw", people.alice, {"reason": "no need"})
    assert gone.status_code == 200 and gone.json_body["status"] == "cancelled"
    assert send(client, "GET", f"{BASE}/{rid}", people.alice).json_body["status"] == "withdrawn"
    assert respond(client, people.admin, rid, "approve").status_code == 409


def test_stale_requests_expire_and_waiting_steps_are_reminded_once(
    client: Client, people: People, clock: FrozenClock
) -> None:
    set_chain(client, people, ["manager"], expiry_hours=48, remind_after_hours=2)
    later = at(0).date() + timedelta(days=5)
    rid = booked(client, people.alice, at(10, day=later), at(11, day=later), resource_id="lab")
    jobs = wiring.approval_jobs()
    clock.advance(timedelta(hours=3))
    assert jobs.remind(clock.now()) == {"reminded": 1, "already_reminded": 0}
    assert jobs.remind(clock.now()) == {"reminded": 0, "already_reminded": 0}
    assert jobs.expire_stale(clock.now()) == {"expired": 0, "skipped": 0}
    clock.advance(timedelta(hours=46))
    assert jobs.expire_stale(clock.now()) == {"expired": 1, "skipped": 0}
    # (tokens have lapsed by now: read the table itself)
    stored = ReservationStore().get(rid)
    request = ApprovalStore().get(rid)
    assert stored is not None and stored.status.value == "expired"
    assert request is not None and request.status.value == "expired"


def test_a_one_click_link_shows_on_get_and_acts_once_on_post(
    client: Client, people: People
) -> None:
    set_chain(client, people, ["manager"])
    rid = booked(client, people.alice, at(10), at(11), resource_id="lab")
    token = wiring.approval_links().make(rid, 0, people.ids["manager"])
    page = client.http.get(f"{BASE}/email/{token}")
    assert page.status_code == 200 and b"Approve" in page.body
    assert status_of(client, people.alice, rid) == "pending_approval"  # a GET never acts
    acted = post_form(client, f"{BASE}/email/{token}", {"decision": "approve"})
    assert acted.status_code == 200, acted.body
    assert status_of(client, people.alice, rid) == "active"
    again = post_form(client, f"{BASE}/email/{token}", {"decision": "approve"})
    assert again.status_code == 410 and error_code(again) == "link_used"
    forged = client.http.get(f"{BASE}/email/{token[:-3]}abc")
    assert forged.status_code == 404 and error_code(forged) == "link_invalid"
    # A link of someone who is not (or no longer) an approver does nothing
    other = booked(client, people.alice, at(14), at(15), resource_id="lab")
    bobs = wiring.approval_links().make(other, 0, people.ids["bob"])
    assert post_form(client, f"{BASE}/email/{bobs}", {"decision": "approve"}).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", f"{BASE}/01NOSUCHID0000000000000000/respond", {"decision": "approve"}, 404),
        ("POST", f"{BASE}/x/respond", {"decision": "maybe"}, 422),
        ("POST", f"{BASE}/x/respond", {"decision": "approve", "extra": 1}, 422),
        ("POST", f"{BASE}/x/respond", {"decision": "reject", "message": "m" * 501}, 422),
        ("GET", f"{BASE}/pending?limit=0", None, 422),
        ("GET", f"{BASE}/pending?cursor=nope", None, 422),
        ("GET", f"{BASE}/my-requests?limit=1000", None, 422),
        ("PUT", f"{BASE}/resources/lab/chain", {"steps": [{"users": []}]}, 422),
        ("PUT", f"{BASE}/resources/lab/chain", {"steps": [{"roles": ["boss"]}]}, 422),
        ("PUT", f"{BASE}/resources/lab/chain", {"expiry_hours": -1}, 422),
        ("PUT", f"{BASE}/resources/nope/chain", {"steps": []}, 404),
        ("POST", f"{BASE}/email/abc.def", {"decision": "approve"}, 404),
    ],
)
def test_bad_input_is_a_4xx_json_error(
    client: Client, people: People, method: str, path: str, body: Any, status: int
) -> None:
    response = send(client, method, path, people.admin, body)
    assert response.status_code == status, response.body
    assert set(response.json_body["error"]) >= {"code", "message"}


def series_of(client: Client, token: str, count: int) -> dict[str, Any]:
    body = {
        "resource_id": "lab",
        "start_time": "2026-11-26T10:00:00Z",
        "end_time": "2026-11-26T11:00:00Z",
        "rrule": f"FREQ=DAILY;COUNT={count}",
    }
    response = send(client, "POST", "/api/v1/reservations/recurring", token, body)
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def test_a_series_is_decided_whole_or_per_occurrence(client: Client, people: People) -> None:
    set_chain(client, people, ["manager"])
    series = series_of(client, people.alice, 4)
    ids = [o["reservation_id"] for o in series["occurrences"]]
    assert {o["status"] for o in series["occurrences"]} == {"pending_approval"}
    queue = send(client, "GET", f"{BASE}/pending", people.manager).json_body["items"]
    assert {i["series_id"] for i in queue} == {series["series_id"]}
    # One occurrence rejected on its own
    assert respond(client, people.manager, ids[0], "reject", "not that day").status_code == 200
    # Bob asks for the third day too: approving the whole series will reject him
    bobs = booked(client, people.bob, at(10, day=at(0).date() + timedelta(days=3)),
                  at(11, day=at(0).date() + timedelta(days=3)), resource_id="lab")  # fmt: skip
    path = f"{BASE}/series/{series['series_id']}/respond"
    assert send(client, "POST", path, people.bob, {"decision": "approve"}).status_code == 403
    whole = send(client, "POST", path, people.manager, {"decision": "approve"})
    assert whole.status_code == 200, whole.body
    assert len(whole.json_body["decided"]) == 3 and whole.json_body["refused"] == []
    assert [status_of(client, people.alice, rid) for rid in ids] == [
        "rejected",
        "active",
        "active",
        "active",
    ]
    assert status_of(client, people.bob, bobs) == "rejected"
    again = send(client, "POST", path, people.manager, {"decision": "approve"})
    assert again.status_code == 409
    missing = send(
        client, "POST", f"{BASE}/series/nope/respond", people.manager, {"decision": "approve"}
    )
    assert missing.status_code == 404


def test_approving_a_whole_series_is_all_or_nothing(client: Client, people: People) -> None:
    # Given a series of 3 pending occurrences, and a blackout since laid over the second day
    set_chain(client, people, ["manager"])
    series = series_of(client, people.alice, 3)
    ids = [o["reservation_id"] for o in series["occurrences"]]
    day = "2026-11-27"
    blackout = {"start_date": day, "end_date": day, "reason": "works"}
    created = send(client, "POST", "/api/v1/resources/lab/blackouts", people.admin, blackout)
    assert created.status_code == 201, created.body
    # When the manager approves the whole series, nothing is approved and the 409 says which
    path = f"{BASE}/series/{series['series_id']}/respond"
    refused = send(client, "POST", path, people.manager, {"decision": "approve"})
    assert error_code(refused) == "series_not_approvable"
    [which] = refused.json_body["error"]["details"]["refused"]
    assert which["reservation_id"] == ids[1]
    assert [status_of(client, people.alice, rid) for rid in ids] == ["pending_approval"] * 3
    # Rejecting the whole series still goes through
    rejected = send(client, "POST", path, people.manager, {"decision": "reject", "message": "no"})
    assert rejected.status_code == 200 and len(rejected.json_body["decided"]) == 3
    assert [status_of(client, people.alice, rid) for rid in ids] == ["rejected"] * 3
