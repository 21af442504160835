"""A resource's feed keeps a reservation that left the resource (cancelled there, or moved to
another resource) as STATUS:CANCELLED with a bumped SEQUENCE for the retention period, so
subscribed calendars remove it (issue 12). The writer remembers the slot in a departed-slot
item written in the same transaction that frees it (store/reservations/departed.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store import dynamo
from chalicelib.store.reservations.items import table_name
from tests.calendar_kit import Ev, parse_feed
from tests.factories import auth_headers
from tests.integration.reservations_kit import (
    at,
    book,
    booked,
    cancel,
    create_resource,
    reschedule,
    send,
)

CAL = "/api/v1/calendar"
FEED = f"{CAL}/resources/room-1/feed.ics"


@pytest.fixture
def room(clock: FrozenClock, client: Client, admin_token: str) -> Resource:
    made = create_resource("room-1")
    create_resource("room-2")
    for rid in ("room-1", "room-2"):
        body = {"mode": "public"}
        response = send(client, "PUT", f"{CAL}/resources/{rid}/settings", admin_token, body)
        assert response.status_code == 200, response.body
    return made


def feed(client: Client, path: str = FEED, token: str | None = None) -> list[Ev]:
    response = client.http.get(path, headers=auth_headers(token) if token else {})
    assert response.status_code == 200, response.body
    return parse_feed(response.body.decode())


def departed_items() -> list[dict[str, Any]]:
    items = dynamo.client().scan(TableName=table_name())["Items"]
    return [i for i in items if i["SK"]["S"].startswith("GONE#")]


def test_a_cancelled_booking_stays_in_the_resource_feed_as_cancelled_with_a_bumped_sequence(
    client: Client, room: Resource, user_token: str
) -> None:
    rid = booked(client, user_token, at(9), at(10))
    before = feed(client)
    assert cancel(client, user_token, rid).status_code == 200

    after = feed(client)

    assert [e.status for e in before] == ["CONFIRMED"]
    assert [(e.uid, e.status) for e in after] == [(before[0].uid, "CANCELLED")]
    assert after[0].sequence > before[0].sequence
    assert (after[0].start, after[0].end) == (at(9), at(10))


def test_the_owner_sees_the_cancelled_details_and_others_only_a_cancelled_busy_block(
    client: Client, room: Resource, user_token: str, other_user_token: str
) -> None:
    rid = booked(client, user_token, at(9), at(10), notes="secret agenda")
    assert cancel(client, user_token, rid).status_code == 200

    mine = feed(client, token=user_token)
    theirs = client.http.get(FEED, headers=auth_headers(other_user_token)).body.decode()

    assert [(e.uid, e.status) for e in mine] == [(f"{rid}@resource-reserver", "CANCELLED")]
    assert "secret agenda" in mine[0].description
    assert rid not in theirs and "secret agenda" not in theirs
    assert [e.status for e in parse_feed(theirs)] == ["CANCELLED"]


def test_the_slot_is_free_again_and_the_feed_holds_both_the_cancelled_and_the_new_booking(
    client: Client, room: Resource, user_token: str, other_user_token: str
) -> None:
    first = booked(client, user_token, at(9), at(10))
    assert cancel(client, user_token, first).status_code == 200

    again = book(client, other_user_token, at(9), at(10))

    assert again.status_code == 201, again.body
    assert sorted(e.status for e in feed(client)) == ["CANCELLED", "CONFIRMED"]


def test_a_booking_moved_to_another_resource_is_cancelled_in_the_old_feed_only(
    client: Client, room: Resource, user_token: str
) -> None:
    rid = booked(client, user_token, at(9), at(10))
    old = feed(client)
    moved = reschedule(client, user_token, rid, at(11), at(12), resource_id="room-2")
    assert moved.status_code == 200, moved.body

    left = feed(client)
    arrived = feed(client, f"{CAL}/resources/room-2/feed.ics")

    assert [(e.uid, e.status, e.start) for e in left] == [(old[0].uid, "CANCELLED", at(9))]
    assert left[0].sequence > old[0].sequence
    assert [(e.status, e.start) for e in arrived] == [("CONFIRMED", at(11))]


def test_a_move_within_the_resource_leaves_no_departed_slot(
    client: Client, room: Resource, user_token: str
) -> None:
    rid = booked(client, user_token, at(9), at(10))

    assert reschedule(client, user_token, rid, at(13), at(14)).status_code == 200

    assert [(e.status, e.start) for e in feed(client)] == [("CONFIRMED", at(13))]
    assert departed_items() == []


def test_the_departed_slot_expires_after_the_retention_and_is_invisible_to_the_occupancy_index(
    client: Client, clock: FrozenClock, room: Resource, user_token: str
) -> None:
    rid = booked(client, user_token, at(9) + timedelta(days=60), at(10) + timedelta(days=60))
    assert cancel(client, user_token, rid).status_code == 200
    (item,) = departed_items()

    assert "GSI2PK" not in item and "GSI1PK" not in item  # no occupant reader can see it
    expires = int(item["expires_at"]["N"])
    assert epoch_seconds(clock.now() + timedelta(days=30)) < expires
    assert expires <= epoch_seconds(clock.now() + timedelta(days=31))
    clock.advance(timedelta(days=29))
    kept = feed(client)
    clock.advance(timedelta(days=2))
    assert [e.status for e in kept] == ["CANCELLED"] and feed(client) == []
