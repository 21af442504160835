"""Listings: my reservations, everyone's (admin), a resource's schedule; cursor pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import login
from tests.integration.reservations_kit import (
    RESERVATIONS,
    at,
    booked,
    cancel,
    create_resource,
    send,
)

ADMIN_LIST = "/api/v1/admin/reservations"
DAY_AFTER = at(0).date() + timedelta(days=1)


@pytest.fixture
def room(clock: FrozenClock) -> str:
    create_resource("room-2")
    return create_resource("room-1").resource_id


def _get(client: Client, path: str, token: str) -> dict[str, Any]:
    response = send(client, "GET", path, token)
    assert response.status_code == 200, response.body
    body: dict[str, Any] = response.json_body
    return body


def _pages(client: Client, path: str, token: str) -> list[list[str]]:
    """Follow next_cursor to the end; the reservation ids of each page."""
    pages: list[list[str]] = []
    cursor = None
    while True:
        joiner = "&" if "?" in path else "?"
        body = _get(client, path + (f"{joiner}cursor={cursor}" if cursor else ""), token)
        pages.append([r["reservation_id"] for r in body["items"]])
        cursor = body.get("next_cursor")
        if not cursor:
            return pages


def test_my_reservations_default_to_upcoming_occupying_soonest_first(
    client: Client, room: str, clock: FrozenClock, user_token: str, other_user_token: str
) -> None:
    # Given alice's two bookings (one later cancelled) and bob's
    late = booked(client, user_token, at(15), at(16))
    early = booked(client, user_token, at(10), at(11))
    gone = booked(client, user_token, at(12), at(13))
    cancel(client, user_token, gone)
    booked(client, other_user_token, at(13), at(14))
    # When she lists her reservations
    items = _get(client, f"{RESERVATIONS}/my", user_token)["items"]
    # Then only her occupying ones appear, soonest first
    assert [r["reservation_id"] for r in items] == [early, late]
    # And once 10:00-11:00 has ended, it drops out of the default view
    clock.set(at(11))
    fresh = login(client, "alice")["access_token"]  # the old token expired meanwhile
    items = _get(client, f"{RESERVATIONS}/my", fresh)["items"]
    assert [r["reservation_id"] for r in items] == [late]


def test_my_reservations_filters(client: Client, room: str, user_token: str) -> None:
    first = booked(client, user_token, at(10), at(11))
    other_room = booked(client, user_token, at(10), at(11), resource_id="room-2")
    gone = booked(client, user_token, at(12), at(13))
    cancel(client, user_token, gone)

    def ids(query: str) -> list[str]:
        return [
            r["reservation_id"]
            for r in _get(client, f"{RESERVATIONS}/my?{query}", user_token)["items"]
        ]

    assert ids("status=cancelled") == [gone]
    # equal starts sort by id, and ids (ULIDs) grow with time
    assert ids("status=any") == [first, other_room, gone]
    assert ids("status=active&status=cancelled&resource_id=room-1") == [first, gone]
    assert ids("from=2026-11-25T11:30:00Z&status=any") == [gone]
    assert ids("to=2026-11-25T11:00:00Z&from=2026-11-25T00:00:00Z&resource_id=room-2") == [
        other_room
    ]
    assert ids("order=desc&status=any")[0] == gone
    # An unencoded '+' offset arrives as a space and is still read as an offset
    assert ids("from=2026-11-25T12:30:00 01:00&status=any") == [gone]


def test_my_reservations_page_with_a_cursor(client: Client, room: str, user_token: str) -> None:
    booked_ids = [booked(client, user_token, at(8 + i), at(9 + i)) for i in range(5)]
    pages = _pages(client, f"{RESERVATIONS}/my?limit=2", user_token)
    assert [rid for page in pages for rid in page] == booked_ids
    assert all(len(page) <= 2 for page in pages)


def test_a_cursor_only_works_for_its_owner(
    client: Client, room: str, user_token: str, other_user_token: str
) -> None:
    for i in range(3):
        booked(client, user_token, at(8 + i), at(9 + i))
    cursor = _get(client, f"{RESERVATIONS}/my?limit=1", user_token)["next_cursor"]
    response = send(client, "GET", f"{RESERVATIONS}/my?cursor={cursor}", other_user_token)
    assert response.status_code == 422


def test_admin_lists_everyone_with_filters_and_pages(
    client: Client, room: str, user_token: str, other_user_token: str, admin_token: str
) -> None:
    # Given bookings by two users across two rooms and two months
    a1 = booked(client, user_token, at(10), at(11))
    b1 = booked(client, other_user_token, at(11), at(12))
    b2 = booked(client, other_user_token, at(10), at(11), resource_id="room-2")
    december = at(10).date() + timedelta(days=10)
    a2 = booked(client, user_token, at(9, day=december), at(10, day=december))
    cancel(client, user_token, a2)
    bob = _get(client, f"{RESERVATIONS}/{b1}", other_user_token)["user_id"]
    # Then the admin sees all of them, across month buckets, page by page
    pages = _pages(client, f"{ADMIN_LIST}?limit=2", admin_token)
    assert sorted(rid for page in pages for rid in page) == sorted([a1, b1, b2, a2])

    # And the filters narrow it down
    def ids(query: str) -> set[str]:
        return {
            r["reservation_id"] for r in _get(client, f"{ADMIN_LIST}?{query}", admin_token)["items"]
        }

    assert ids("resource_id=room-2") == {b2}
    assert ids(f"user_id={bob}") == {b1, b2}
    assert ids("status=cancelled") == {a2}
    assert ids("from=2026-12-01T00:00:00Z") == {a2}
    assert ids("to=2026-11-25T10:30:00Z") == {a1, b2}


def test_admin_listing_window_is_bounded(client: Client, room: str, admin_token: str) -> None:
    response = send(
        client,
        "GET",
        f"{ADMIN_LIST}?from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z",
        admin_token,
    )
    assert response.status_code == 422
    assert response.json_body["error"]["code"] == "window_too_large"


def test_schedule_hides_other_users_details(
    client: Client, room: str, user_token: str, other_user_token: str, admin_token: str
) -> None:
    # Given alice's and bob's bookings on room-1
    alices = booked(client, user_token, at(10), at(11), notes="secret project")
    bobs = booked(client, other_user_token, at(12), at(13))
    path = "/api/v1/resources/room-1/schedule?from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z"
    # When alice reads the schedule, Then bob's block has times only
    blocks = _get(client, path, user_token)["items"]
    assert blocks == [
        {
            "start_time": "2026-11-25T10:00:00.000Z",
            "end_time": "2026-11-25T11:00:00.000Z",
            "status": "active",
            "mine": True,
            "reservation_id": alices,
            "user_id": blocks[0]["user_id"],
        },
        {
            "start_time": "2026-11-25T12:00:00.000Z",
            "end_time": "2026-11-25T13:00:00.000Z",
            "status": "active",
            "mine": False,
            "reservation_id": None,
            "user_id": None,
        },
    ]
    assert "secret" not in str(blocks)
    # And an admin sees who holds each block
    admin_view = _get(client, path, admin_token)["items"]
    assert [b["reservation_id"] for b in admin_view] == [alices, bobs]
    assert all(b["user_id"] for b in admin_view)


def test_schedule_window_and_cancelled_blocks(client: Client, room: str, user_token: str) -> None:
    # Given one booking overlapping the window's start, one inside, one cancelled
    booked(client, user_token, at(23), at(1, day=DAY_AFTER))
    inside = booked(client, user_token, at(2, day=DAY_AFTER), at(3, day=DAY_AFTER))
    gone = booked(client, user_token, at(4, day=DAY_AFTER), at(5, day=DAY_AFTER))
    cancel(client, user_token, gone)
    path = "/api/v1/resources/room-1/schedule?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z"
    blocks = _get(client, path, user_token)["items"]
    # Then the overlapping and the inside blocks show, the cancelled one does not
    assert [b["start_time"] for b in blocks] == [
        "2026-11-25T23:00:00.000Z",
        "2026-11-26T02:00:00.000Z",
    ]
    assert blocks[1]["reservation_id"] == inside
    too_wide = send(
        client,
        "GET",
        "/api/v1/resources/room-1/schedule?from=2026-11-26T00:00:00Z&to=2027-03-01T00:00:00Z",
        user_token,
    )
    assert too_wide.status_code == 422


def test_history_pages(client: Client, room: str, user_token: str) -> None:
    rid = booked(client, user_token, at(10), at(11))
    for hour in (12, 14, 16):
        move = {
            "start_time": f"2026-11-25T{hour}:00:00Z",
            "end_time": f"2026-11-25T{hour + 1}:00:00Z",
        }
        assert send(client, "PATCH", f"{RESERVATIONS}/{rid}", user_token, move).status_code == 200
    first = _get(client, f"{RESERVATIONS}/{rid}/history?limit=3", user_token)
    assert [e["action"] for e in first["items"]] == ["created", "rescheduled", "rescheduled"]
    rest = _get(client, f"{RESERVATIONS}/{rid}/history?cursor={first['next_cursor']}", user_token)
    assert [e["action"] for e in rest["items"]] == ["rescheduled"]
