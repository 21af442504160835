"""Plan B for a refused series or bulk request (issue 13): each refused occurrence or item
(the first three at most) carries its own ready-to-send alternatives, for a conflict (409)
and a rule (422) alike."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.timeutil import iso_z
from tests.integration.reservations_kit import (
    add_blackout,
    at,
    book,
    booked,
    create_resource,
    send,
)
from tests.integration.test_reservations_series import create, series_body


def test_a_taken_occurrence_gets_alternatives_that_can_be_booked(
    client: Client, clock: FrozenClock, user_token: str, other_user_token: str
) -> None:
    # Given bob holds the third Wednesday 10-11
    create_resource("room-1")
    third = at(10) + timedelta(weeks=2)
    booked(client, other_user_token, third, third + timedelta(hours=1))
    # When alice asks for the weekly series, Then 409 names occurrence 2 with alternatives
    response = create(client, user_token, series_body(at(10)))
    assert response.status_code == 409, response.body
    (refused,) = response.json_body["error"]["details"]["occurrences"]
    assert refused["occurrence"] == 2
    alternatives = refused["alternatives"]
    assert 1 <= len(alternatives) <= 3
    assert {a["start_time"] for a in alternatives}.isdisjoint({iso_z(third)})
    # And the first one books as it is
    request = alternatives[0]["request"]
    start = request["start_time"]
    assert start != iso_z(third)
    begin = datetime.fromisoformat(start.replace("Z", "+00:00"))
    end = datetime.fromisoformat(request["end_time"].replace("Z", "+00:00"))
    assert book(client, user_token, begin, end, request["resource_id"]).status_code == 201


def test_an_occurrence_on_a_blackout_gets_alternatives(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    create_resource("room-1")
    create_resource("room-2")
    add_blackout("room-1", (at(10) + timedelta(weeks=1)).date())
    response = create(client, user_token, series_body(at(10)))
    assert response.status_code == 422, response.body
    (refused,) = response.json_body["error"]["details"]["occurrences"]
    assert refused["occurrence"] == 1
    kinds = {a["kind"] for a in refused["alternatives"]}
    assert kinds, refused


def test_a_refused_bulk_item_gets_alternatives(
    client: Client, clock: FrozenClock, user_token: str, other_user_token: str
) -> None:
    # Given bob holds room-1 10-11
    create_resource("room-1")
    create_resource("room-2")
    booked(client, other_user_token, at(10), at(11))
    items = [
        {"resource_id": "room-1", "start_time": iso_z(at(9)), "end_time": iso_z(at(10))},
        {"resource_id": "room-1", "start_time": iso_z(at(10)), "end_time": iso_z(at(11))},
    ]
    # When alice books both in one bulk request, Then 409 gives item 1 its alternatives
    response = send(client, "POST", "/api/v1/reservations/bulk", user_token, {"items": items})
    assert response.status_code == 409, response.body
    (refused,) = response.json_body["error"]["details"]["items"]
    assert refused["index"] == 1
    assert 1 <= len(refused["alternatives"]) <= 3
    assert all(
        a["request"]["start_time"] != iso_z(at(10)) or a["resource_id"] != "room-1"
        for a in refused["alternatives"]
    )
