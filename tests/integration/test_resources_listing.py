"""Listing and search: cursor pagination over a GSI with filters, in name or creation order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.resources import Location
from chalicelib.domain.catalog.rules import ResourceDraft
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.catalog.importer import import_all
from tests.factories import ADMIN_PASSWORD, ADMIN_USERNAME, error_code, login, send_json
from tests.resource_factories import RESOURCES, get_json

COUNT = 30


def seed(clock: FrozenClock) -> list[dict[str, Any]]:
    """30 resources: every 3rd tagged a+b, every 5th disabled, buildings alternate, capacity i.

    Written with the bulk import (two transactions) to keep moto fast; creation instants are
    one second apart.
    """
    made = []
    for i in range(COUNT):
        tags = ("a", "b") if i % 3 == 0 else ("a",) if i % 3 == 1 else ("c",)
        draft = ResourceDraft(
            name=f"Res {i:02d}",
            description="has a WINDOW" if i % 4 == 0 else "plain",
            tags=tags,
            capacity=i + 1,
            location=Location(building="HQ" if i % 2 == 0 else "Annex", floor=str(i % 3)),
            enabled=i % 5 != 0,
        )
        at = clock.now() + timedelta(seconds=i)
        made.append({"i": i, "resource": catalog.new_resource(draft, wiring.ids().new_id(), at)})
    import_all(wiring.resource_store(), [row["resource"] for row in made])
    return made


def walk(client: Client, token: str, query: str, limit: int) -> tuple[list[str], int]:
    """Follow next_cursor to the end; returns the names in order and the number of pages."""
    names: list[str] = []
    cursor, pages = None, 0
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        response = get_json(client, f"{RESOURCES}?limit={limit}&{query}{suffix}", token)
        assert response.status_code == 200, response.body
        pages += 1
        names += [item["name"] for item in response.json_body["items"]]
        cursor = response.json_body["next_cursor"]
        if cursor is None:
            return names, pages
        assert pages < 50


@pytest.fixture
def seeded(client: Client, clock: FrozenClock, user_token: str) -> list[dict[str, Any]]:
    return seed(clock)


def expected(seeded: list[dict[str, Any]], keep: Any) -> list[str]:
    return sorted(f"Res {row['i']:02d}" for row in seeded if keep(row["i"]))


def test_paging_by_name_returns_everything_once_in_order(
    client: Client, user_token: str, seeded: list[dict[str, Any]]
) -> None:
    names, pages = walk(client, user_token, "sort=name", 7)
    assert names == expected(seeded, lambda i: True)
    assert len(names) == len(set(names)) == COUNT
    assert pages == 5


def test_paging_by_creation_descending(
    client: Client, user_token: str, seeded: list[dict[str, Any]]
) -> None:
    names, _ = walk(client, user_token, "sort=created&order=desc", 8)
    assert names == [f"Res {i:02d}" for i in reversed(range(COUNT))]


def test_filters_apply_across_pages_without_duplicates_or_gaps(
    client: Client, user_token: str, seeded: list[dict[str, Any]]
) -> None:
    # tags must ALL match; repeatable and comma forms are the same filter
    both, _ = walk(client, user_token, "tags=a&tags=B", 3)
    assert both == expected(seeded, lambda i: i % 3 == 0)
    assert walk(client, user_token, "tags=a,b", 4)[0] == both
    # several filters at once
    combined, _ = walk(client, user_token, "tags=a&building=hq&capacity_min=10&enabled=true", 2)
    assert combined == expected(
        seeded, lambda i: i % 3 in (0, 1) and i % 2 == 0 and i + 1 >= 10 and i % 5 != 0
    )
    # free text over name and description, case-insensitive
    assert walk(client, user_token, "q=window", 5)[0] == expected(seeded, lambda i: i % 4 == 0)
    assert walk(client, user_token, "q=res%2007", 5)[0] == ["Res 07"]
    assert walk(client, user_token, "floor=2&status=disabled", 5)[0] == expected(
        seeded, lambda i: i % 3 == 2 and i % 5 == 0
    )


def test_search_is_an_alias_of_the_list(
    client: Client, user_token: str, seeded: list[dict[str, Any]]
) -> None:
    listed = get_json(client, f"{RESOURCES}?tags=c&limit=50", user_token).json_body
    searched = get_json(client, f"{RESOURCES}/search?tags=c&limit=50", user_token).json_body
    assert searched == listed
    assert len(listed["items"]) == 10


def test_the_status_filter_sees_maintenance_and_its_auto_reset(
    client: Client, admin_token: str, clock: FrozenClock, seeded: list[dict[str, Any]]
) -> None:
    target = seeded[1]["resource"].resource_id
    path = f"{RESOURCES}/{target}/status/unavailable"
    assert send_json(client, "PUT", path, {"auto_reset_hours": 1}, admin_token).status_code == 200
    assert walk(client, admin_token, "status=maintenance", 5)[0] == ["Res 01"]
    available, _ = walk(client, admin_token, "status=available", 50)
    assert "Res 01" not in available and len(available) == COUNT - 6 - 1
    clock.advance(timedelta(hours=1))
    fresh = login(client, ADMIN_USERNAME, ADMIN_PASSWORD)["access_token"]  # the old one expired
    assert walk(client, fresh, "status=maintenance", 5)[0] == []
    assert "Res 01" in walk(client, fresh, "status=available", 50)[0]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=ten",
        "sort=price",
        "order=up",
        "status=sleeping",
        "capacity_min=0",
        "enabled=perhaps",
        "tags=bad/tag",
        "colour=red",
        "cursor=not-a-cursor",
    ],
)
def test_bad_listing_queries_are_422(client: Client, user_token: str, query: str) -> None:
    response = get_json(client, f"{RESOURCES}?{query}", user_token)
    assert response.status_code == 422, (query, response.body)


def test_a_cursor_is_bound_to_its_index_and_cannot_be_forged(
    client: Client, user_token: str, seeded: list[dict[str, Any]]
) -> None:
    cursor = get_json(client, f"{RESOURCES}?limit=5", user_token).json_body["next_cursor"]
    assert cursor
    other_sort = get_json(client, f"{RESOURCES}?limit=5&sort=created&cursor={cursor}", user_token)
    assert other_sort.status_code == 422 and error_code(other_sort) == "invalid_cursor"
    forged = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    assert get_json(client, f"{RESOURCES}?cursor={forged}", user_token).status_code == 422
