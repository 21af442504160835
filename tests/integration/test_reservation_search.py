"""Reservation search (issue 14): admins search everyone's by user, resource, location
subtree, status and time; users search only their own and never see another's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.principal import SYSTEM as ADMIN
from chalicelib.services.reservations.search import ReservationSearch, SearchSpec
from chalicelib.store.catalog.groups import GroupStore
from chalicelib.store.catalog.subtree_resources import SubtreeResources
from tests.factories import auth_headers, error_code, user_id_of
from tests.integration.reservations_kit import at, booked, cancel, create_resource
from tests.integration.test_groups import assign, make_group

SEARCH = "/api/v1/search/reservations"


@dataclass(frozen=True)
class World:
    alice: str
    bob: str
    # reservation ids
    alice_north: str
    alice_south_cancelled: str
    bob_north: str
    bob_floor: str
    groups: dict[str, str]


@pytest.fixture
def world(
    client: Client,
    clock: FrozenClock,
    admin_token: str,
    user_token: str,
    other_user_token: str,
) -> World:
    """Given HQ > North > Floor 1 and HQ > South, a room in each, and bookings by alice and
    bob (one of alice's cancelled)."""
    hq = make_group(client, admin_token, "HQ", kind="site")
    north = make_group(client, admin_token, "North", hq, "building")
    south = make_group(client, admin_token, "South", hq, "building")
    floor = make_group(client, admin_token, "Floor 1", north, "floor")
    for rid, group in (("n-1", north), ("s-1", south), ("f-1", floor)):
        create_resource(rid)
        assert assign(client, admin_token, group, rid).status_code == 200
    alice_north = booked(client, user_token, at(9), at(10), resource_id="n-1")
    alice_south = booked(client, user_token, at(11), at(12), resource_id="s-1")
    assert cancel(client, user_token, alice_south).status_code == 200
    bob_north = booked(client, other_user_token, at(13), at(14), resource_id="n-1")
    bob_floor = booked(client, other_user_token, at(15), at(16), resource_id="f-1")
    return World(
        alice=user_id_of(client, user_token),
        bob=user_id_of(client, other_user_token),
        alice_north=alice_north,
        alice_south_cancelled=alice_south,
        bob_north=bob_north,
        bob_floor=bob_floor,
        groups={"hq": hq, "north": north, "south": south, "floor": floor},
    )


def search(client: Client, token: str, query: str = "") -> Any:
    response = client.http.get(f"{SEARCH}{query}", headers=auth_headers(token))
    assert response.status_code == 200, response.body
    return response.json_body


def ids(page: Any) -> set[str]:
    return {item["reservation_id"] for item in page["items"]}


def test_an_admin_searches_everyone_by_each_filter(
    client: Client, world: World, admin_token: str
) -> None:
    w = world
    everyone = {w.alice_north, w.alice_south_cancelled, w.bob_north, w.bob_floor}
    assert ids(search(client, admin_token)) == everyone
    assert ids(search(client, admin_token, f"?user_id={w.bob}")) == {w.bob_north, w.bob_floor}
    assert ids(search(client, admin_token, "?resource_id=n-1")) == {w.alice_north, w.bob_north}
    assert ids(search(client, admin_token, "?status=cancelled")) == {w.alice_south_cancelled}
    window = f"?from={at(12, 30).isoformat()}&to={at(15, 30).isoformat()}".replace("+", "%2B")
    assert ids(search(client, admin_token, window)) == {w.bob_north, w.bob_floor}
    # a location covers its whole subtree
    north = f"?group_id={w.groups['north']}"
    assert ids(search(client, admin_token, north)) == {w.alice_north, w.bob_north, w.bob_floor}
    floor = f"?group_id={w.groups['floor']}&user_id={w.bob}"
    assert ids(search(client, admin_token, floor)) == {w.bob_floor}
    assert ids(search(client, admin_token, f"?group_id={w.groups['hq']}")) == everyone
    listed = search(client, admin_token, "?resource_id=f-1")["items"][0]
    assert listed["resource_name"] == "Resource f-1"


def test_a_user_only_ever_sees_their_own(
    client: Client, world: World, user_token: str, other_user_token: str
) -> None:
    w = world
    mine = {w.alice_north, w.alice_south_cancelled}
    assert ids(search(client, user_token)) == mine
    assert ids(search(client, user_token, f"?user_id={w.alice}")) == mine
    # filters that would match bob's reservations still return only alice's
    assert ids(search(client, user_token, "?resource_id=n-1")) == {w.alice_north}
    assert ids(search(client, user_token, f"?group_id={w.groups['hq']}")) == mine
    assert ids(search(client, user_token, f"?group_id={w.groups['floor']}")) == set()
    assert ids(search(client, other_user_token)) == {w.bob_north, w.bob_floor}
    # naming someone else is refused, not silently ignored
    response = client.http.get(f"{SEARCH}?user_id={w.bob}", headers=auth_headers(user_token))
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    assert client.http.get(SEARCH).status_code == 401


def test_pages_visit_every_match_once(client: Client, world: World, admin_token: str) -> None:
    seen: list[str] = []
    cursor = ""
    while True:
        page = search(client, admin_token, f"?limit=1{cursor}")
        seen += [item["reservation_id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert len(seen) == len(set(seen)) == 4


BAD = [
    ("?limit=0", "validation_error"),
    ("?status=bogus", "validation_error"),
    ("?from=2026-11-25T10:00:00", "validation_error"),
    ("?from=2026-11-25T10:00:00Z&to=2026-11-25T09:00:00Z", "empty_range"),
    ("?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z", "window_too_large"),
    ("?group_id=01NOSUCHGROUP0000000000000", "group_not_found"),
    ("?cursor=nope", "invalid_cursor"),
    ("?extra=1", "validation_error"),
]


def test_bad_input_is_4xx(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    for token in (admin_token, user_token):  # one setup for every case (fast)
        for query, code in BAD:
            response = client.http.get(f"{SEARCH}{query}", headers=auth_headers(token))
            assert response.status_code in (404, 422), (query, response.body)
            assert error_code(response) == code, query


def test_a_location_larger_than_the_cap_is_refused(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given a location holding three resources (the API's cap is 100; the adapter takes any)
    group = make_group(client, admin_token, "Wing", kind="building")
    for rid in ("w-1", "w-2", "w-3"):
        create_resource(rid)
        assert assign(client, admin_token, group, rid).status_code == 200
    subtrees = SubtreeResources(GroupStore(), wiring.resource_store())
    # Then up to the cap its resources are listed, past it the answer is "too many"
    assert sorted(subtrees.ids_in(group, cap=3, now=clock.now()) or []) == ["w-1", "w-2", "w-3"]
    assert subtrees.ids_in(group, cap=2, now=clock.now()) is None
    # And the search turns "too many" into a 422 that says what to do
    search = ReservationSearch(wiring.reservation_queries(), _Capped(subtrees), clock)
    with pytest.raises(InvalidInput) as refused:
        search.search(ADMIN, SearchSpec(group_id=group))
    assert refused.value.code == "group_too_large"


class _Capped:
    """The real adapter with a small cap, so the refusal is reachable with three resources."""

    def __init__(self, inner: SubtreeResources) -> None:
        self._inner = inner

    def ids_in(self, group_id: str, *, cap: int, now: datetime) -> list[str] | None:
        return self._inner.ids_in(group_id, cap=2, now=now)
