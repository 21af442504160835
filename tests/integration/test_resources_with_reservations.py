"""The catalogue against the real reservation store: delete guard, forced delete, in_use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    USER_PASSWORD,
    error_code,
    login,
    send_json,
)
from tests.resource_factories import RESOURCES, create_resource, get_json


def book(client: Client, token: str, resource_id: str, start: str, end: str) -> dict[str, Any]:
    body = {"resource_id": resource_id, "start_time": start, "end_time": end}
    response = send_json(client, "POST", "/api/v1/reservations", body, token)
    assert response.status_code == 201, response.body
    reservation: dict[str, Any] = response.json_body
    return reservation


def test_delete_is_refused_then_forced_cancelling_the_future_reservations(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given a resource with a reservation tomorrow
    room = create_resource(client, admin_token, "Room")["resource_id"]
    booked = book(client, user_token, room, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z")
    # When the admin deletes it without force, Then it is refused
    refused = send_json(client, "DELETE", f"{RESOURCES}/{room}", None, admin_token)
    assert refused.status_code == 409
    assert error_code(refused) == "resource_has_future_reservations"
    assert refused.json_body["error"]["details"]["future_reservations"] == 1
    assert get_json(client, f"{RESOURCES}/{room}", user_token).status_code == 200
    # When forced, Then the reservation is cancelled and the resource is gone
    forced = send_json(client, "DELETE", f"{RESOURCES}/{room}?force=true", None, admin_token)
    assert forced.status_code == 200, forced.body
    assert forced.json_body["cancelled_reservations"] == 1
    reservation = get_json(client, f"/api/v1/reservations/{booked['reservation_id']}", user_token)
    assert reservation.json_body["status"] == "cancelled"
    assert get_json(client, f"{RESOURCES}/{room}", user_token).status_code == 404


def test_past_reservations_do_not_block_a_delete(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    room = create_resource(client, admin_token, "Room")["resource_id"]
    book(client, user_token, room, "2026-11-24T09:30:00Z", "2026-11-24T10:00:00Z")
    clock.advance(timedelta(hours=2))
    admin = login(client, ADMIN_USERNAME, ADMIN_PASSWORD)["access_token"]
    response = send_json(client, "DELETE", f"{RESOURCES}/{room}", None, admin)
    assert response.status_code == 200, response.body
    assert response.json_body["cancelled_reservations"] == 0


def test_a_running_reservation_makes_the_resource_in_use(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given two rooms, one booked from 09:30 to 10:30
    busy = create_resource(client, admin_token, "Busy")["resource_id"]
    create_resource(client, admin_token, "Idle")
    booked = book(client, user_token, busy, "2026-11-24T09:30:00Z", "2026-11-24T10:30:00Z")
    # When it is 09:45
    clock.advance(timedelta(minutes=45))
    token = login(client, "alice", USER_PASSWORD)["access_token"]
    # Then the busy room is in use, showing the reservation id and end (no user details)
    status = get_json(client, f"{RESOURCES}/{busy}/status", token).json_body
    assert status["status"] == "in_use"
    assert status["current_reservation"] == {
        "reservation_id": booked["reservation_id"],
        "end_time": "2026-11-24T10:30:00.000Z",
    }
    in_use = get_json(client, f"{RESOURCES}?status=in_use", token).json_body["items"]
    available = get_json(client, f"{RESOURCES}?status=available", token).json_body["items"]
    assert [r["name"] for r in in_use] == ["Busy"] and in_use[0]["status"] == "in_use"
    assert [r["name"] for r in available] == ["Idle"]
    summary = get_json(client, f"{RESOURCES}/availability/summary", token).json_body
    assert (summary["total"], summary["in_use"]) == (2, 1)
    # And when it has ended, the room is available again
    clock.advance(timedelta(minutes=45))
    token = login(client, "alice", USER_PASSWORD)["access_token"]
    assert get_json(client, f"{RESOURCES}/{busy}/status", token).json_body["status"] == "available"
    assert get_json(client, f"{RESOURCES}/availability/summary", token).json_body["in_use"] == 0


def test_only_the_owner_and_admins_see_which_reservation_holds_the_resource(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str, other_user_token: str
) -> None:
    # Given alice's reservation running now
    busy = create_resource(client, admin_token, "Busy")["resource_id"]
    booked = book(client, user_token, busy, "2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z")
    path = f"{RESOURCES}/{busy}/status"
    # When bob looks at the room, Then he sees until when it is taken, not by which reservation
    seen_by_bob = get_json(client, path, other_user_token).json_body["current_reservation"]
    assert seen_by_bob == {"reservation_id": None, "end_time": "2026-11-24T10:00:00.000Z"}
    # And alice and the admin see the reservation's id
    for token in (user_token, admin_token):
        seen = get_json(client, path, token).json_body["current_reservation"]
        assert seen["reservation_id"] == booked["reservation_id"]
