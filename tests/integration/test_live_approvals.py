"""Approvers' live queues (issue 10) in process: a request entering or leaving a step's queue
(opened, moved to the next step, approved, rejected, withdrawn) reaches every approver of that
step on every connection, and nobody else; the requester keeps her own copies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.clock import FrozenClock
from tests.fakes.websocket import FakeWebsocketAPI
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, person
from tests.integration.reservations_kit import at, booked, create_resource, send
from tests.integration.ws_kit import WsClient

BASE = "/api/v1/approvals"


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("lab", requires_approval=True)
    yield Pipeline(app)


@pytest.fixture
def people(client: Client, pipeline: Pipeline, admin_token: str) -> Iterator[dict[str, Person]]:
    found = {name: person(client, name) for name in ("alice", "manager", "officer", "bystander")}
    steps = [{"users": [found["manager"].user_id]}, {"users": [found["officer"].user_id]}]
    chain = send(client, "PUT", f"{BASE}/resources/lab/chain", admin_token, {"steps": steps})
    assert chain.status_code == 200, chain.body
    pipeline.run()
    yield found


def socket(fake_ws: FakeWebsocketAPI, token: str) -> WsClient:
    return WsClient(fake_ws).connect().sign_in(token)


def queue(ws: WsClient) -> list[tuple[str, str, int]]:
    """(reservation id, change, step) of the queue entries this socket read, then forgets."""
    found = [
        (e["reservation_id"], e["change"], e["step"])
        for e in ws.live_entries()
        if e["event"] == "approval.queue_changed"
    ]
    ws.api.sent.pop(ws.connection_id, None)
    return found


def respond(client: Client, token: str, rid: str, decision: str) -> Any:
    body = {"decision": decision, "message": ""}
    return send(client, "POST", f"{BASE}/{rid}/respond", token, body)


def test_each_step_s_approvers_see_requests_enter_and_leave_their_queue(
    client: Client, fake_ws: FakeWebsocketAPI, pipeline: Pipeline, people: dict[str, Person]
) -> None:
    alice, manager, officer = people["alice"], people["manager"], people["officer"]
    managers = [socket(fake_ws, manager.token), socket(fake_ws, manager.token)]
    officers = [socket(fake_ws, officer.token)]
    others = [socket(fake_ws, people["bystander"].token)]
    # When Alice asks for the lab, every connection of step 0's approver hears of it
    rid = booked(client, alice.token, at(10), at(11), resource_id="lab")
    pipeline.run()
    assert [queue(ws) for ws in managers] == [[(rid, "added", 0)]] * 2
    assert [queue(ws) for ws in officers + others] == [[], []]
    # When the manager approves step 0, it leaves his queue and enters the officer's
    assert respond(client, manager.token, rid, "approve").status_code == 200
    pipeline.run()
    assert [queue(ws) for ws in managers] == [[(rid, "removed", 0)]] * 2
    assert queue(officers[0]) == [(rid, "added", 1)]
    # When the officer rejects it, it leaves his queue; nobody else hears of it
    assert respond(client, officer.token, rid, "reject").status_code == 200
    pipeline.run()
    assert queue(officers[0]) == [(rid, "removed", 1)]
    assert [queue(ws) for ws in managers + others] == [[], [], []]


def test_a_withdrawn_or_approved_request_leaves_the_queue(
    client: Client, fake_ws: FakeWebsocketAPI, pipeline: Pipeline, people: dict[str, Person]
) -> None:
    alice, manager, officer = people["alice"], people["manager"], people["officer"]
    first = booked(client, alice.token, at(10), at(11), resource_id="lab")
    second = booked(client, alice.token, at(12), at(13), resource_id="lab")
    pipeline.run()
    manager_ws, officer_ws, alice_ws = (socket(fake_ws, p.token) for p in (manager, officer, alice))
    # Withdrawn by the requester: out of the manager's queue
    gone = send(client, "POST", f"{BASE}/{first}/withdraw", alice.token, {"reason": "no"})
    assert gone.status_code == 200, gone.body
    pipeline.run()
    assert queue(manager_ws) == [(first, "removed", 0)]
    # Approved at the last step: out of the officer's queue; Alice reads her own copy
    assert respond(client, manager.token, second, "approve").status_code == 200
    assert respond(client, officer.token, second, "approve").status_code == 200
    pipeline.run()
    assert queue(officer_ws) == [(second, "added", 1), (second, "removed", 1)]
    own = [e["event"] for e in alice_ws.live_entries() if e.get("reservation_id") == second]
    assert "approval.approved" in own and "approval.queue_changed" not in own
