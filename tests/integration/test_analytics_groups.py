"""Utilisation per building and per location (issue 12): a location's row sums its subtree's
resources, the filters narrow the resources counted, and a user's rows hold only their own
bookings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.catalog.resources import Location, Resource
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.catalog.repository import ResourceStore
from tests.factories import error_code, register, send_json
from tests.integration.analytics_kit import ANALYTICS, admin, figures, get, reserve, today
from tests.integration.pipeline_driver import Pipeline

RANGE = "?from=2026-11-24&to=2026-11-24"
GROUPS = "/api/v1/resource-groups"


def building_resource(resource_id: str, building: str) -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    resource = Resource(
        resource_id=resource_id,
        name=f"Room {resource_id}",
        location=Location(building=building),
        created_at=created,
        updated_at=created,
    )
    ResourceStore(wiring.cursors()).create(resource)


def new_group(client: Client, name: str, parent_id: str | None = None) -> str:
    body = {"name": name, "kind": "building" if parent_id is None else "floor"}
    if parent_id:
        body["parent_id"] = parent_id
    response = send_json(client, "POST", GROUPS, body, admin(client))
    assert response.status_code == 201, response.body
    return str(response.json_body["group_id"])


@pytest.fixture
def world(client: Client, clock: FrozenClock, admin_token: str) -> dict[str, str]:
    """HQ > Floor 2. r-a (North, Floor 2), r-b (North, HQ), r-c (South, no location).
    alice books 1 h on r-a and 1 h on r-c, bob 2 h on r-b. The pipeline has run."""
    for rid, building in (("r-a", "North"), ("r-b", "North"), ("r-c", "South")):
        building_resource(rid, building)
    hq = new_group(client, "HQ")
    floor = new_group(client, "Floor 2", hq)
    for group, rid in ((floor, "r-a"), (hq, "r-b")):
        body = {"resource_id": rid}
        assigned = send_json(client, "POST", f"{GROUPS}/{group}/resources", body, admin(client))
        assert assigned.status_code in (200, 201), assigned.body
    for name in ("alice", "bob"):
        register(client, name)
    reserve(client, "alice", today(10), today(11), room="r-a")
    reserve(client, "alice", today(12), today(13), room="r-c")
    reserve(client, "bob", today(10), today(12), room="r-b")
    Pipeline(app).run()
    return {"hq": hq, "floor": floor}


def rows(client: Client, user: str, query: str) -> list[dict[str, object]]:
    return list(figures(client, user, f"/utilisation{RANGE}&{query}")["items"])


def test_a_location_row_covers_its_subtree(client: Client, world: dict[str, str]) -> None:
    found = {r["name"]: r for r in rows(client, "admin", "group=location")}

    assert set(found) == {"HQ", "Floor 2"}  # r-c has no location
    assert found["HQ"]["location_id"] == world["hq"]
    assert (found["HQ"]["booked_hours"], found["HQ"]["open_hours"]) == (3.0, 48.0)
    assert found["HQ"]["utilisation"] == round(180 / (48 * 60), 4)
    assert (found["Floor 2"]["booked_hours"], found["Floor 2"]["open_hours"]) == (1.0, 24.0)


def test_a_row_per_building(client: Client, world: dict[str, str]) -> None:
    found = {r["building"]: r for r in rows(client, "admin", "group=building")}

    assert {b: (r["booked_hours"], r["open_hours"]) for b, r in found.items()} == {
        "North": (3.0, 48.0),
        "South": (1.0, 24.0),
    }
    assert found["North"]["reservations"] == 2


def test_filters_narrow_the_resources_counted(client: Client, world: dict[str, str]) -> None:
    in_floor = rows(client, "admin", f"location={world['floor']}")
    in_hq = rows(client, "admin", f"location={world['hq']}&group=building")
    south = rows(client, "admin", "building=South")

    assert [r["resource_id"] for r in in_floor] == ["r-a"]
    assert [(r["building"], r["booked_hours"]) for r in in_hq] == [("North", 3.0)]
    assert [r["resource_id"] for r in south] == ["r-c"]


def test_a_user_sees_only_their_own_hours_per_group(client: Client, world: dict[str, str]) -> None:
    alice = {r["building"]: r["booked_hours"] for r in rows(client, "alice", "group=building")}
    bob = {r["name"]: r["booked_hours"] for r in rows(client, "bob", "group=location")}

    assert alice == {"North": 1.0, "South": 1.0}
    assert bob == {"HQ": 2.0}  # not alice's hour on Floor 2


def test_the_csv_export_leads_with_the_grouping(client: Client, world: dict[str, str]) -> None:
    response = get(client, "admin", f"{ANALYTICS}/export/utilisation.csv{RANGE}&group=location")

    lines = response.body.decode().strip().splitlines()
    assert response.status_code == 200
    assert lines[0].startswith("location_id,name,open_hours,booked_hours,utilisation")
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["Floor 2", "HQ"]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("group=floor", 422, "validation_error"),
        ("location=../x", 422, "validation_error"),
        ("building=" + "x" * 65, 422, "validation_error"),
        ("location=nope", 404, "group_not_found"),
    ],
)
def test_bad_groupings_and_filters_are_4xx(
    client: Client, world: dict[str, str], query: str, status: int, code: str
) -> None:
    response = get(client, "alice", f"{ANALYTICS}/utilisation{RANGE}&{query}")

    assert response.status_code == status, response.body
    assert error_code(response) == code
