"""Live updates in process: API writes -> stream -> bus -> the live queue -> coalesced,
session-checked pushes, read back from a fake `@connections` API.

Who gets what (each user their own events on every connection; subscribers times only,
owners and admins their detail), bursts coalesced, dead sockets cleaned up without
stopping the others, and poison messages dead-lettered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.timeutil import iso_z
from chalicelib.topology import BULK_QUEUE, LIVE_QUEUE, TOPOLOGY
from tests.factories import send_json
from tests.fakes.websocket import FakeWebsocketAPI
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, person
from tests.integration.reservations_kit import at, booked, cancel, create_resource, iso, reschedule
from tests.integration.ws_kit import WsClient

# 30, not 100: moto's transactions copy the table (DESIGN.md trap 2); tests/e2e/test_live.py
# books 100 on DynamoDB Local.
BURST = 30
TIMES_ONLY = {"event", "event_id", "occurred_at", "resource_id", "start_time", "end_time"}


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    create_resource("room-2")
    yield Pipeline(app)


@pytest.fixture
def people(client: Client, pipeline: Pipeline, admin_token: str) -> dict[str, Person]:
    found = {name: person(client, name) for name in ("ada", "bea", "cyd")}
    pipeline.run()  # registrations and resources: nothing live comes of them
    return found


def socket(fake_ws: FakeWebsocketAPI, token: str, *resources: str) -> WsClient:
    return WsClient(fake_ws).connect().sign_in(token, *resources)


def kinds(ws: WsClient) -> list[str]:
    return [entry["event"] for entry in ws.live_entries()]


def test_two_users_with_two_connections_each_get_exactly_their_own_events(
    client: Client, fake_ws: FakeWebsocketAPI, pipeline: Pipeline, people: dict[str, Person]
) -> None:
    # Given Ada and Bea, each signed in on two connections (subscribed to nothing)
    ada, bea = people["ada"], people["bea"]
    ada_sockets = [socket(fake_ws, ada.token), socket(fake_ws, ada.token)]
    bea_sockets = [socket(fake_ws, bea.token), socket(fake_ws, bea.token)]
    # When Ada books, and Bea books another room
    ada_booking = booked(client, ada.token, at(10), at(11))
    bea_booking = booked(client, bea.token, at(10), at(11), resource_id="room-2")
    pipeline.run()
    # Then each connection gets its own user's reservation and notification, nobody else's
    for sockets, mine in ((ada_sockets, ada_booking), (bea_sockets, bea_booking)):
        for ws in sockets:
            [entry] = ws.live_entries()
            assert (entry["event"], entry["reservation_id"]) == ("reservation.created", mine)
            assert "actor_id" not in entry and "user_id" not in entry
            [note] = ws.messages("notification")
            assert note["notification"]["data"]["reservation_id"] == mine


def test_a_subscriber_gets_slot_changes_with_times_only_and_owner_and_admin_their_detail(
    client: Client,
    fake_ws: FakeWebsocketAPI,
    pipeline: Pipeline,
    people: dict[str, Person],
    admin_token: str,
) -> None:
    # Given Cy, an admin and Ada herself watching room-1
    ada, cy = people["ada"], people["cyd"]
    watcher = socket(fake_ws, cy.token, "room-1")
    admin = socket(fake_ws, admin_token, "room-1")
    owner = socket(fake_ws, ada.token, "room-1")
    # When Ada books, moves and cancels
    rid = booked(client, ada.token, at(10), at(11), notes="Ada's secret meeting")
    pipeline.run()
    assert reschedule(client, ada.token, rid, at(12), at(13)).status_code == 200
    pipeline.run()
    assert cancel(client, ada.token, rid).status_code == 200
    pipeline.run()
    # Then Cy sees the slot taken, moved (freed + taken) and freed: times only
    assert kinds(watcher) == ["slot.taken", "slot.freed", "slot.taken", "slot.freed"]
    assert all(set(entry) == TIMES_ONLY for entry in watcher.live_entries())
    assert [(e["start_time"], e["end_time"]) for e in watcher.live_entries()][:3] == [
        (iso_z(at(10)), iso_z(at(11))),
        (iso_z(at(10)), iso_z(at(11))),
        (iso_z(at(12)), iso_z(at(13))),
    ]
    seen_by_cy = json.dumps(fake_ws.replies(watcher.connection_id))
    for private in (ada.user_id, f'"{ada.username}"', rid, "secret"):
        assert private not in seen_by_cy
    # ...the admin sees whose slot it is
    assert {e["user_id"] for e in admin.live_entries()} == {ada.user_id}
    assert {e["reservation_id"] for e in admin.live_entries()} == {rid}
    # ...and Ada gets her detail and her own events, the booking's pair in one message
    first = owner.messages("live")[0]["events"]
    assert [e["event"] for e in first] == ["slot.taken", "reservation.created"]
    assert first[0]["reservation_id"] == rid and first[1]["notes"] == "Ada's secret meeting"


def test_resource_changes_reach_its_subscribers_and_global_blackouts_everyone(
    client: Client,
    fake_ws: FakeWebsocketAPI,
    pipeline: Pipeline,
    people: dict[str, Person],
    admin_token: str,
) -> None:
    watcher = socket(fake_ws, people["cyd"].token, "room-1")
    elsewhere = socket(fake_ws, people["bea"].token, "room-2")
    base = "/api/v1/resources/room-1"
    day = date(2026, 12, 24).isoformat()
    calls: list[tuple[str, str, Any]] = [
        ("PUT", f"{base}/status/unavailable", {"reason": "Projector repair"}),
        ("PUT", f"{base}/status/available", None),
        ("PUT", f"{base}/availability", {"enabled": False}),
        ("PUT", f"{base}/availability", {"enabled": True}),
        ("PUT", f"{base}/business-hours", {"days": {"mon": {"opens": "08:00", "closes": "18:00"}}}),
        ("POST", f"{base}/blackouts", {"start_date": day, "end_date": day}),
        ("POST", "/api/v1/blackouts", {"start_date": day, "end_date": day}),
    ]
    for method, path, body in calls:
        response = send_json(client, method, path, body, admin_token)
        assert response.status_code in {200, 201}, (path, response.body)
        pipeline.run()
    assert kinds(watcher) == [
        "resource.maintenance_started",
        "resource.maintenance_ended",
        "resource.disabled",
        "resource.enabled",
        "resource.hours_changed",
        "resource.blackouts_changed",
        "resource.blackouts_changed",
    ]
    started = watcher.live_entries()[0]
    assert "maintenance_reason" not in started and started["auto_reset_at"]
    assert watcher.live_entries()[-1]["resource_id"] is None  # the global one
    assert kinds(elsewhere) == ["resource.blackouts_changed"]


def test_a_bulk_booking_is_coalesced_per_connection(
    client: Client, fake_ws: FakeWebsocketAPI, pipeline: Pipeline, people: dict[str, Person]
) -> None:
    watcher = socket(fake_ws, people["cyd"].token, "room-1")
    start = at(0)
    items = [
        {
            "resource_id": "room-1",
            "start_time": iso(start + timedelta(minutes=20 * i)),
            "end_time": iso(start + timedelta(minutes=20 * i + 15)),
        }
        for i in range(BURST)
    ]
    response = send_json(
        client, "POST", "/api/v1/reservations/bulk", {"items": items}, people["ada"].token
    )
    assert response.status_code == 201, response.body
    # (a bulk request's events travel in the bulk lane, issue 16: its envelopes reach the
    # live handler through the bulk queue; the other queues are tested elsewhere)
    lanes = (LIVE_QUEUE, BULK_QUEUE)
    pipeline.run(rounds=40, skip=tuple(q.name for q in TOPOLOGY.queues if q not in lanes))
    # Then every slot arrives, in one message per queue batch (10), not one per booking
    assert kinds(watcher) == ["slot.taken"] * BURST
    assert len(watcher.messages("live")) <= BURST // LIVE_QUEUE.batch_size


def test_a_gone_socket_is_forgotten_and_a_broken_one_stops_nobody(
    client: Client,
    fake_ws: FakeWebsocketAPI,
    pipeline: Pipeline,
    people: dict[str, Person],
    clock: FrozenClock,
) -> None:
    cy = people["cyd"].token
    gone, broken, fine = (socket(fake_ws, cy, "room-1") for _ in range(3))
    fake_ws.gone.add(gone.connection_id)
    fake_ws.broken.add(broken.connection_id)
    booked(client, people["ada"].token, at(10), at(11))
    pipeline.run()
    assert kinds(fine) == ["slot.taken"]
    store = wiring.connections()
    assert store.get(gone.connection_id, clock.now()) is None
    assert store.get(broken.connection_id, clock.now()) is not None  # may recover: kept
    assert store.resource_listeners("room-1", clock.now()) != [] and gone.connection_id not in (
        store.resource_listeners("room-1", clock.now())
    )


def test_a_poison_message_is_reported_alone_and_ends_in_the_dlq(
    client: Client, fake_ws: FakeWebsocketAPI, pipeline: Pipeline, people: dict[str, Person]
) -> None:
    watcher = socket(fake_ws, people["cyd"].token, "room-1")
    booked(client, people["ada"].token, at(10), at(11))
    pipeline.pump_stream()
    pipeline.sqs.send_message(QueueUrl=pipeline.url(LIVE_QUEUE.name), MessageBody='{"nope": 1}')
    # When the batch holds the booking's event and the poison message
    messages = pipeline.receive(LIVE_QUEUE.name)
    outcome = pipeline.invoke(LIVE_QUEUE.name, messages)
    # Then the booking is pushed and only the poison message is reported failed
    assert kinds(watcher) == ["slot.taken"]
    assert len(outcome.failed_ids) == 1 and not outcome.raised
    for _ in range(LIVE_QUEUE.max_receive_count + 1):
        pipeline.pump_queue(LIVE_QUEUE.name)
    assert [m["Body"] for m in pipeline.dead_letters(LIVE_QUEUE.name)] == ['{"nope": 1}']
