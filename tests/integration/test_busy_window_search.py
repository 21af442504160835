"""The busy-window search never lists a resource that an occupancy blocks (issue 16).

The search reads the catalogue-wide occupancy index (GSI2, store/reservations/day_index.py)
instead of one query per candidate. These tests write occupancies of every kind straight
through the one booking writer (active, held, pending approval; short, 5-hour and
multi-day ones, buffers reaching in) and compare the search's answer with the base table
read back resource by resource (strongly consistent), so a resource the index misses fails.

The frozen clock stands at Tue 2026-11-24 09:00 UTC; the window is 2026-12-01 09:00-10:00
UTC (10:00-11:00 in Berlin, inside the default hours).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import DomainError
from chalicelib.domain.reservations import (
    HistoryEntry,
    Reservation,
    ReservationStatus,
    TimeRange,
)
from chalicelib.domain.reservations.conflicts import Buffers, find_conflicts
from chalicelib.services.catalog.availability import _FreeWindowFilter
from chalicelib.store import dynamo
from chalicelib.store.reservations import booking_tx, day_index_backfill, items
from chalicelib.store.reservations.writer import Booking
from tests.factories import send_json
from tests.resource_factories import RESOURCES, create_resource, get_json

WINDOW = TimeRange(datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 10, tzinfo=UTC))
QUERY = "tags=busy&available_from=2026-12-01T09:00:00Z&available_until=2026-12-01T10:00:00Z"
STATUSES = (ReservationStatus.ACTIVE, ReservationStatus.HELD, ReservationStatus.PENDING_APPROVAL)
LENGTHS = (timedelta(minutes=30), timedelta(hours=1), timedelta(hours=5), timedelta(days=3))


def room(client: Client, admin: str, name: str, **fields: Any) -> dict[str, Any]:
    fields = {"tags": ["busy"], "capacity": 10, "timezone": "Europe/Berlin", **fields}
    return create_resource(client, admin, name, **fields)


def buffers_of(resource: dict[str, Any]) -> Buffers:
    """The buffers of a resource as the API returns it."""
    return Buffers(
        timedelta(minutes=resource["buffer_before_minutes"]),
        timedelta(minutes=resource["buffer_after_minutes"]),
    )


def occupy(
    resource: dict[str, Any], start: datetime, length: timedelta, status: ReservationStatus
) -> bool:
    """Write one occupancy through the booking writer; False if it would overlap another."""
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    reservation = Reservation(
        reservation_id=uuid.uuid4().hex,
        resource_id=resource["resource_id"],
        user_id="someone",
        window=TimeRange(start, start + length),
        status=status,
        created_at=now,
    )
    buffers = buffers_of(resource)
    try:
        wiring.booking_writer().create(
            [Booking(reservation, HistoryEntry(now, "someone", "created"), buffers)]
        )
    except DomainError:
        return False
    return True


def listed(client: Client, token: str) -> set[str]:
    response = get_json(client, f"{RESOURCES}?{QUERY}&limit=100", token)
    assert response.status_code == 200, response.body
    assert response.json_body["next_cursor"] is None  # one request served the whole answer
    return {item["resource_id"] for item in response.json_body["items"]}


def blocked_in_table(resource: dict[str, Any], now: datetime) -> bool:
    """The oracle: the base table read back for this one resource (strongly consistent)."""
    buffers = buffers_of(resource)
    occupants = booking_tx.query_occupants(resource["resource_id"], WINDOW, buffers, now)
    return bool(
        find_conflicts(
            WINDOW,
            [
                Reservation(
                    o.reservation_id, resource["resource_id"], o.user_id, o.window, o.status, now
                )
                for o in occupants
            ],
            buffer_before=buffers.before,
            buffer_after=buffers.after,
        )
    )


def test_every_kind_of_occupancy_keeps_a_resource_out(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given rooms each blocked in one way, and two free ones
    hour = WINDOW.start
    rooms = {
        name: room(client, admin_token, name)
        for name in (
            "active",
            "held",
            "pending",
            "five hours",
            "three days",
            "free",
            "back to back",
            "maintenance",
        )
    }
    rooms["buffer"] = room(client, admin_token, "buffer", buffer_after_minutes=30)
    assert occupy(rooms["active"], hour + timedelta(minutes=30), LENGTHS[1], STATUSES[0])
    assert occupy(rooms["held"], hour - timedelta(minutes=15), LENGTHS[0], STATUSES[1])
    assert occupy(rooms["pending"], hour + timedelta(minutes=59), LENGTHS[0], STATUSES[2])
    assert occupy(rooms["five hours"], hour - timedelta(hours=4), LENGTHS[2], STATUSES[0])
    assert occupy(rooms["three days"], hour - timedelta(days=2), LENGTHS[3], STATUSES[0])
    assert occupy(rooms["back to back"], hour - timedelta(hours=1), LENGTHS[1], STATUSES[0])
    assert occupy(rooms["buffer"], hour - timedelta(minutes=45), LENGTHS[0], STATUSES[0])
    path = f"{RESOURCES}/{rooms['maintenance']['resource_id']}/status/unavailable"
    maintenance = {"reason": "paint", "auto_reset_hours": 0}
    assert send_json(client, "PUT", path, maintenance, admin_token).status_code == 200
    # When a user searches the window
    found = listed(client, user_token)
    # Then only the free ones come back
    names = {r["resource_id"]: name for name, r in rooms.items()}
    assert sorted(names[rid] for rid in found) == ["back to back", "free"]


@pytest.mark.parametrize("guessed", [timedelta(0), timedelta(hours=1)], ids=["none", "wide"])
def test_the_early_read_is_widened_for_buffers_it_did_not_guess(
    client: Client,
    clock: FrozenClock,
    admin_token: str,
    user_token: str,
    monkeypatch: pytest.MonkeyPatch,
    guessed: timedelta,
) -> None:
    # Given the occupancy read the search starts before its first page guesses the buffers
    # (none, as in a fresh process; or wider than any room's), and a room whose 30-minute
    # buffer after a 2-hour booking that ends 20 minutes before the window reaches into it
    # (the booking starts before what a read without buffers looks at)
    monkeypatch.setattr(_FreeWindowFilter, "margin_seen", guessed)
    buffered = room(client, admin_token, "buffered", buffer_after_minutes=30)
    free = room(client, admin_token, "free")
    start = WINDOW.start - timedelta(hours=2, minutes=20)
    assert occupy(buffered, start, timedelta(hours=2), STATUSES[0])
    # When a user searches the window, then only the free room is listed
    assert listed(client, user_token) == {free["resource_id"]}


def test_a_busy_catalogue_lists_exactly_the_resources_the_table_says_are_free(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given 30 rooms (some with buffers) and random occupancies of every status and length
    # around the window, most rooms blocked
    rng = random.Random(16)
    rooms = [
        room(
            client,
            admin_token,
            f"Room {i:02d}",
            buffer_before_minutes=rng.choice((0, 0, 15)),
            buffer_after_minutes=rng.choice((0, 0, 30)),
        )
        for i in range(30)
    ]
    for resource in rooms:
        for _ in range(rng.randint(0, 3)):
            offset = timedelta(minutes=15 * rng.randint(-4 * 80, 4 * 6))
            occupy(resource, WINDOW.start + offset, rng.choice(LENGTHS), rng.choice(STATUSES))
    # When a user searches the window
    found = listed(client, user_token)
    # Then a room is listed exactly when the base table holds nothing overlapping it
    now = clock.now()
    expected = {r["resource_id"] for r in rooms if not blocked_in_table(r, now)}
    assert found == expected
    assert 0 < len(found) < len(rooms)  # the data exercised both answers


def test_the_backfill_indexes_occupancies_written_before_the_index(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given a booked room whose occupancy item predates the index (no GSI2 keys)
    booked_room = room(client, admin_token, "booked")
    assert occupy(booked_room, WINDOW.start, LENGTHS[1], STATUSES[0])
    table = items.table_name()
    pk = items.resource_pk(booked_room["resource_id"])
    slots = dynamo.client().query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :slot)",
        ExpressionAttributeValues={":pk": {"S": pk}, ":slot": {"S": items.SLOT_PREFIX}},
    )["Items"]
    for slot in slots:
        dynamo.client().update_item(
            TableName=table,
            Key={"PK": slot["PK"], "SK": slot["SK"]},
            UpdateExpression="REMOVE GSI2PK, GSI2SK",
        )
    assert booked_room["resource_id"] in listed(client, user_token)  # the index misses it
    # When the backfill runs (twice: it is idempotent)
    assert day_index_backfill.backfill() == 1
    assert day_index_backfill.backfill() == 0
    # Then the search sees the booking again
    assert booked_room["resource_id"] not in listed(client, user_token)
