"""The free-window search: which resources matching the catalogue filters are free for a window.

The frozen clock stands at Tue 2026-11-24 09:00 UTC. The window used most is the following
Tuesday, 10:00-11:00 in Berlin (09:00-10:00 UTC).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.rules import ResourceDraft
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.catalog.importer import import_all
from tests.factories import error_code, send_json
from tests.integration.reservations_kit import booked, cancel
from tests.resource_factories import RESOURCES, create_resource, get_json, names_of

TUESDAY = {
    "available_from": "2026-12-01T10:00:00+01:00",
    "available_until": "2026-12-01T11:00:00+01:00",
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def search(client: Client, token: str | None, path: str = "/search", **params: Any) -> Any:
    return get_json(client, f"{RESOURCES}{path}?{urlencode(params, doseq=True)}", token)


def meeting_room(client: Client, admin: str, name: str, **fields: Any) -> str:
    fields = {"tags": ["meeting"], "capacity": 10, "timezone": "Europe/Berlin", **fields}
    return str(create_resource(client, admin, name, **fields)["resource_id"])


def book_local(client: Client, token: str, room: str, start: str, end: str) -> str:
    return booked(client, token, utc(start), utc(end), resource_id=room)


def walk(client: Client, token: str, limit: int, **params: Any) -> list[str]:
    """Follow next_cursor to the end; the names in the order served."""
    names: list[str] = []
    cursor: str | None = None
    for _ in range(50):
        page_params = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = search(client, token, **page_params)
        assert response.status_code == 200, response.body
        assert len(response.json_body["items"]) <= limit
        names += names_of(response)
        cursor = response.json_body["next_cursor"]
        if cursor is None:
            return names
    raise AssertionError("the cursor never ended")


def test_tag_capacity_and_window_together(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given meeting rooms that differ in one way each from a free one
    meeting_room(client, admin_token, "A free")
    busy = meeting_room(client, admin_token, "B overlapping booking")
    meeting_room(client, admin_token, "C too small", capacity=4)
    buffered = meeting_room(client, admin_token, "D buffer reaches in", buffer_after_minutes=30)
    meeting_room(client, admin_token, "E not a meeting room", tags=["desk"])
    meeting_room(client, admin_token, "F disabled", enabled=False)
    serviced = meeting_room(client, admin_token, "G in maintenance")
    closed = meeting_room(client, admin_token, "H closed on tuesdays")
    dark = meeting_room(client, admin_token, "I blacked out")
    adjacent = meeting_room(client, admin_token, "J booked back to back")
    freed = meeting_room(client, admin_token, "K booking cancelled")
    meeting_room(client, admin_token, "L minimum two hours", min_duration_minutes=120)
    book_local(client, user_token, busy, "2026-12-01T10:30+01:00", "2026-12-01T11:30+01:00")
    book_local(client, user_token, buffered, "2026-12-01T09:00+01:00", "2026-12-01T09:45+01:00")
    book_local(client, user_token, adjacent, "2026-12-01T09:00+01:00", "2026-12-01T10:00+01:00")
    gone = book_local(client, user_token, freed, "2026-12-01T10:00+01:00", "2026-12-01T11:00+01:00")
    assert cancel(client, user_token, gone).status_code == 200
    maintenance = {"reason": "paint", "auto_reset_hours": 0}
    path = f"{RESOURCES}/{serviced}/status/unavailable"
    assert send_json(client, "PUT", path, maintenance, admin_token).status_code == 200
    hours = {"days": {"mon": {"opens": "08:00", "closes": "18:00"}}}
    path = f"{RESOURCES}/{closed}/business-hours"
    assert send_json(client, "PUT", path, hours, admin_token).status_code == 200
    blackout = {"start_date": "2026-12-01", "end_date": "2026-12-01", "reason": "event"}
    path = f"{RESOURCES}/{dark}/blackouts"
    assert send_json(client, "POST", path, blackout, admin_token).status_code == 201
    # When a user asks which meeting rooms for 8+ people are free Tuesday 10:00-11:00
    query = {"tags": "meeting", "capacity_min": 8, **TUESDAY}
    found = search(client, user_token, **query)
    # Then exactly the free ones come back, on /search and on the plain listing alike
    assert found.status_code == 200, found.body
    expected = ["A free", "J booked back to back", "K booking cancelled"]
    assert names_of(found) == expected
    assert names_of(search(client, user_token, path="", **query)) == expected
    # And without the window the same filters list every candidate (the window did the work)
    assert len(names_of(search(client, user_token, tags="meeting", capacity_min=8))) == 10


def test_a_blackout_added_after_a_search_is_seen_by_the_next_one(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # (the search reads own-blackout markers from its catalogue copy: a blackout must renew it)
    dark = create_resource(client, admin_token, "Dark")["resource_id"]
    create_resource(client, admin_token, "Lit")
    window = {"available_from": "2026-12-01T10:00:00Z", "available_until": "2026-12-01T11:00:00Z"}
    assert names_of(search(client, admin_token, **window)) == ["Dark", "Lit"]
    # When one of them gets a blackout that day
    body = {"start_date": "2026-12-01", "end_date": "2026-12-01", "reason": "event"}
    added = send_json(client, "POST", f"{RESOURCES}/{dark}/blackouts", body, admin_token)
    assert added.status_code == 201, added.body
    # Then the next search leaves it out
    assert names_of(search(client, admin_token, **window)) == ["Lit"]
    # And once the blackout is removed, it is free again
    path = f"{RESOURCES}/{dark}/blackouts/{added.json_body['blackout_id']}"
    assert send_json(client, "DELETE", path, None, admin_token).status_code == 204
    assert names_of(search(client, admin_token, **window)) == ["Dark", "Lit"]


def test_blackouts_are_read_in_each_resources_own_zone(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given an always-open room in Berlin and one in UTC, and a global blackout on 2026-12-02
    create_resource(client, admin_token, "Berlin", timezone="Europe/Berlin")
    create_resource(client, admin_token, "London", timezone="UTC")
    body = {"start_date": "2026-12-02", "end_date": "2026-12-02", "reason": "holiday"}
    assert send_json(client, "POST", "/api/v1/blackouts", body, admin_token).status_code == 201
    # When the window is 23:15-23:45 UTC on 2026-12-01 (already 2026-12-02 in Berlin)
    window = {"available_from": "2026-12-01T23:15:00Z", "available_until": "2026-12-01T23:45:00Z"}
    # Then only the UTC room is free
    assert names_of(search(client, admin_token, **window)) == ["London"]
    # And a window wholly on the blacked-out UTC date finds neither
    later = {"available_from": "2026-12-02T10:00:00Z", "available_until": "2026-12-02T11:00:00Z"}
    assert names_of(search(client, admin_token, **later)) == []


def seed_catalogue(clock: FrozenClock, count: int) -> list[tuple[str, str]]:
    """`count` always-open UTC rooms "Res 00".. written in bulk (a few transactions)."""
    made = [
        catalog.new_resource(ResourceDraft(name=f"Res {i:02d}"), wiring.ids().new_id(), clock.now())
        for i in range(count)
    ]
    import_all(wiring.resource_store(), made)
    return [(r.name, r.resource_id) for r in made]


def test_pages_of_the_window_search_have_no_duplicates_and_no_gaps(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given 30 rooms, every third booked across tomorrow 10:00-11:00
    rooms = seed_catalogue(clock, 30)
    start, end = utc("2026-11-25T10:30:00Z"), utc("2026-11-25T11:30:00Z")
    for _name, room in rooms[::3]:
        booked(client, user_token, start, end, resource_id=room)
    expected = [name for position, (name, _) in enumerate(rooms) if position % 3]
    window = {"available_from": "2026-11-25T10:00:00Z", "available_until": "2026-11-25T11:00:00Z"}
    # When the search is walked page by page, in both directions and with odd page sizes
    # Then every free room comes exactly once, in order
    assert walk(client, user_token, 4, **window) == expected
    assert walk(client, user_token, 7, **window) == expected
    assert walk(client, user_token, 3, order="desc", **window) == expected[::-1]
    # And a window that is free everywhere lists all 30
    idle = {"available_from": "2026-11-26T10:00:00Z", "available_until": "2026-11-26T11:00:00Z"}
    assert len(walk(client, user_token, 25, **idle)) == 30


def test_a_window_in_the_past_matches_nothing(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    create_resource(client, admin_token, "Room")
    window = {"available_from": "2026-11-24T08:00:00Z", "available_until": "2026-11-24T08:30:00Z"}
    found = search(client, admin_token, **window)
    assert (found.status_code, found.json_body["items"]) == (200, [])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"available_from": "2026-12-01T10:00:00Z"}, "incomplete_window"),
        ({"available_until": "2026-12-01T10:00:00Z"}, "incomplete_window"),
        (
            {"available_from": "2026-12-01T10:00:00Z", "available_until": "2026-12-01T10:00:00Z"},
            "empty_range",
        ),
        (
            {
                "available_from": "2026-12-01T11:00:00Z",
                "available_until": "2026-12-01T12:00:00+02:00",
            },
            "empty_range",
        ),
        (
            {"available_from": "2026-12-01T10:00:00", "available_until": "2026-12-01T11:00:00"},
            "validation_error",
        ),
        (
            {"available_from": "2026-12-01T10:00:00Z", "available_until": "2026-12-08T10:01:00Z"},
            "window_too_long",
        ),
        ({"available_from": "soon", "available_until": "later"}, "validation_error"),
        (
            {"available_from": "0001-01-01T00:00:00+01:00", "available_until": "2026-12-01T10:00Z"},
            "datetime_out_of_range",
        ),
    ],
)
@pytest.mark.parametrize("path", ["", "/search"])
def test_bad_windows_are_a_422_with_a_code(
    client: Client,
    clock: FrozenClock,
    user_token: str,
    path: str,
    params: dict[str, str],
    code: str,
) -> None:
    response = search(client, user_token, path=path, **params)
    assert response.status_code == 422, response.body
    assert error_code(response) == code


def test_the_search_needs_a_signed_in_caller(client: Client, clock: FrozenClock) -> None:
    response = search(client, None, **TUESDAY)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_a_week_long_window_is_accepted(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given an always-open room whose policy allows week-long bookings
    create_resource(client, admin_token, "Room", max_duration_minutes=7 * 24 * 60)
    create_resource(client, admin_token, "Short", max_duration_minutes=60)
    start = clock.now() + timedelta(days=1)
    window = {
        "available_from": start.isoformat(),
        "available_until": (start + timedelta(days=7)).isoformat(),
    }
    # Then the room that may be booked that long matches, the other does not
    assert names_of(search(client, admin_token, **window)) == ["Room"]
