"""Listings name each row's resource (one BatchGet per page), and the timeline's batch of
schedules: many resources' busy blocks in one request."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.integration.reservations_kit import RESERVATIONS, at, booked, create_resource, iso, send

SCHEDULES = "/api/v1/resources/schedules"
WINDOW = f"from={iso(at(0))}&to={iso(at(23))}"


@pytest.fixture
def rooms(clock: FrozenClock) -> list[str]:
    return [create_resource(f"room-{n}").resource_id for n in (1, 2, 3)]


def _get(client: Client, path: str, token: str, status: int = 200) -> dict[str, Any]:
    response = send(client, "GET", path, token)
    assert response.status_code == status, response.body
    body: dict[str, Any] = response.json_body
    return body


def test_my_and_admin_listings_carry_the_resource_name(
    client: Client, rooms: list[str], user_token: str, admin_token: str
) -> None:
    booked(client, user_token, at(10), at(11), resource_id="room-1")
    booked(client, user_token, at(12), at(13), resource_id="room-2")
    mine = _get(client, f"{RESERVATIONS}/my", user_token)["items"]
    assert [(r["resource_id"], r["resource_name"]) for r in mine] == [
        ("room-1", "Resource room-1"),
        ("room-2", "Resource room-2"),
    ]
    everyone = _get(client, f"/api/v1/admin/reservations?from={iso(at(0))}", admin_token)["items"]
    assert {r["resource_name"] for r in everyone} == {"Resource room-1", "Resource room-2"}


def test_one_reservation_read_has_no_name_field_filled(
    client: Client, rooms: list[str], user_token: str
) -> None:
    rid = booked(client, user_token, at(10), at(11), resource_id="room-1")
    assert _get(client, f"{RESERVATIONS}/{rid}", user_token)["resource_name"] is None


def test_schedules_of_many_resources_in_one_request(
    client: Client, rooms: list[str], user_token: str, other_user_token: str
) -> None:
    # Given alice's block on room-1 and bob's on room-2
    mine = booked(client, user_token, at(10), at(11), resource_id="room-1")
    booked(client, other_user_token, at(12), at(14), resource_id="room-2")
    # When alice asks for three rooms and one that does not exist
    body = _get(
        client, f"{SCHEDULES}?ids=room-1&ids=room-2&ids=room-3&ids=nope&{WINDOW}", user_token
    )
    by_id = {s["resource_id"]: s for s in body["schedules"]}
    # Then every room answers in the order asked, the unknown id is listed as missing
    assert [s["resource_id"] for s in body["schedules"]] == ["room-1", "room-2", "room-3"]
    assert body["missing"] == ["nope"]
    # And her block is hers, bob's is only "busy" (times and status, no ids)
    (own,) = by_id["room-1"]["blocks"]
    assert own["mine"] is True and own["reservation_id"] == mine
    (busy,) = by_id["room-2"]["blocks"]
    assert busy["mine"] is False and busy["reservation_id"] is None and busy["user_id"] is None
    assert (busy["start_time"], busy["end_time"]) == (
        "2026-11-25T12:00:00.000Z",
        "2026-11-25T14:00:00.000Z",
    )
    assert by_id["room-3"] == {"resource_id": "room-3", "blocks": [], "complete": True}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("&".join(f"ids=r{n}" for n in range(201)) + f"&{WINDOW}", None),
        (f"ids=room-1&from={iso(at(10))}&to={iso(at(9))}", "empty_range"),
        ("ids=" + "x" * 65 + "&" + WINDOW, None),
        ("ids=room-1", None),
    ],
)
def test_schedules_refuse_bad_input_in_words(
    client: Client, rooms: list[str], user_token: str, query: str, code: str | None
) -> None:
    body = _get(client, f"{SCHEDULES}?{query}", user_token, status=422)
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_schedules_window_is_bounded(client: Client, rooms: list[str], user_token: str) -> None:
    far = at(0).replace(year=at(0).year + 1)
    body = _get(client, f"{SCHEDULES}?ids=room-1&from={iso(at(0))}&to={iso(far)}", user_token, 422)
    assert body["error"]["code"] == "window_too_large"
