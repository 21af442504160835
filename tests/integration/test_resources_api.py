"""Resource CRUD through the API: create, read, edit with versions, delete, permissions."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import error_code, post_form, send_json
from tests.resource_factories import RESOURCES, create_resource, get_json, make_guest


@pytest.fixture
def guest_token(client: Client, admin_token: str) -> str:
    return make_guest(client, admin_token)


def test_admin_creates_a_resource_with_every_field(
    client: Client, admin_token: str, clock: FrozenClock
) -> None:
    # Given an admin, When they create a fully described resource
    body = create_resource(
        client,
        admin_token,
        "  Aurora   Room ",
        description="Big",
        tags=["Meeting Room", "projector", "PROJECTOR"],
        capacity=12,
        location={"building": "HQ", "floor": "2", "room": "201"},
        timezone="Europe/Berlin",
        requires_approval=True,
        approvers=["u-1"],
        min_duration_minutes=30,
        max_duration_minutes=480,
        buffer_before_minutes=5,
        buffer_after_minutes=10,
        booking_horizon_days=90,
        min_notice_minutes=60,
    )
    # Then it is normalised, versioned, stamped in UTC with Z, and its live status is shown
    assert body["name"] == "Aurora Room"
    assert body["tags"] == ["meeting room", "projector"]
    assert body["location"] == {"building": "HQ", "floor": "2", "room": "201"}
    assert body["approvers"] == ["u-1"]
    assert body["status"] == "available"
    assert body["version"] == 1
    assert body["created_at"] == "2026-11-24T09:00:00.000Z"
    assert (body["buffer_after_minutes"], body["booking_horizon_days"]) == (10, 90)


def test_any_signed_in_principal_reads_but_only_admins_see_approvers(
    client: Client, admin_token: str, user_token: str, guest_token: str
) -> None:
    created = create_resource(client, admin_token, "R", requires_approval=True, approvers=["u1"])
    path = f"{RESOURCES}/{created['resource_id']}"
    for token in (user_token, guest_token):
        response = get_json(client, path, token)
        assert response.status_code == 200
        assert response.json_body["approvers"] is None
    assert get_json(client, path, admin_token).json_body["approvers"] == ["u1"]


def test_anonymous_callers_get_401_everywhere(client: Client, admin_token: str) -> None:
    created = create_resource(client, admin_token, "R")
    rid = created["resource_id"]
    for method, path in [
        ("GET", RESOURCES),
        ("GET", f"{RESOURCES}/search"),
        ("GET", f"{RESOURCES}/{rid}"),
        ("GET", f"{RESOURCES}/tags"),
        ("GET", f"{RESOURCES}/availability/summary"),
        ("POST", RESOURCES),
        ("PATCH", f"{RESOURCES}/{rid}"),
        ("PUT", f"{RESOURCES}/{rid}"),
        ("DELETE", f"{RESOURCES}/{rid}"),
        ("PUT", f"{RESOURCES}/{rid}/availability"),
        ("PUT", f"{RESOURCES}/tags/rename"),
        ("DELETE", f"{RESOURCES}/tags/x"),
    ]:
        response = send_json(client, method, path, {})
        assert response.status_code == 401, (method, path)
        assert error_code(response) == "not_authenticated"


def test_users_and_guests_cannot_write(
    client: Client, admin_token: str, user_token: str, guest_token: str
) -> None:
    created = create_resource(client, admin_token, "R", tags=["x"])
    rid = created["resource_id"]
    writes: list[tuple[str, str, Any]] = [
        ("POST", RESOURCES, {"name": "New"}),
        ("PATCH", f"{RESOURCES}/{rid}", {"capacity": 2}),
        ("PUT", f"{RESOURCES}/{rid}", {"name": "Other"}),
        ("DELETE", f"{RESOURCES}/{rid}", None),
        ("PUT", f"{RESOURCES}/{rid}/availability", {"enabled": False}),
        ("PUT", f"{RESOURCES}/tags/rename", {"from": "x", "to": "y"}),
        ("DELETE", f"{RESOURCES}/tags/x", None),
    ]
    for token in (user_token, guest_token):
        for method, path, body in writes:
            response = send_json(client, method, path, body, token)
            assert response.status_code == 403, (method, path, response.body)
    # And nothing changed
    after = get_json(client, f"{RESOURCES}/{rid}", admin_token).json_body
    assert (after["name"], after["version"], after["enabled"]) == ("R", 1, True)


def test_duplicate_names_are_409_case_insensitively(client: Client, admin_token: str) -> None:
    create_resource(client, admin_token, "Room 1")
    response = send_json(client, "POST", RESOURCES, {"name": "ROOM 1"}, admin_token)
    assert response.status_code == 409
    assert error_code(response) == "resource_name_taken"


def test_patch_changes_only_the_sent_fields_and_bumps_the_version(
    client: Client, admin_token: str
) -> None:
    created = create_resource(
        client, admin_token, "R", capacity=4, location={"building": "HQ", "room": "1"}
    )
    path = f"{RESOURCES}/{created['resource_id']}"
    response = send_json(
        client,
        "PATCH",
        path,
        {"capacity": 6, "location": {"room": "2"}, "max_duration_minutes": 60, "version": 1},
        admin_token,
    )
    assert response.status_code == 200, response.body
    body = response.json_body
    assert (body["capacity"], body["version"], body["max_duration_minutes"]) == (6, 2, 60)
    assert body["location"] == {"building": "HQ", "floor": "", "room": "2"}
    assert body["name"] == "R"


def test_a_stale_version_is_409_and_changes_nothing(client: Client, admin_token: str) -> None:
    created = create_resource(client, admin_token, "R")
    path = f"{RESOURCES}/{created['resource_id']}"
    assert (
        send_json(client, "PATCH", path, {"capacity": 2, "version": 1}, admin_token).status_code
        == 200
    )
    # When a second editor sends the version they read before
    response = send_json(client, "PUT", path, {"name": "R2", "version": 1}, admin_token)
    # Then the stale write is refused with the current version
    assert response.status_code == 409
    assert error_code(response) == "version_conflict"
    assert response.json_body["error"]["details"]["version"] == 2
    assert get_json(client, path, admin_token).json_body["name"] == "R"


def test_put_replaces_and_resets_omitted_fields(client: Client, admin_token: str) -> None:
    created = create_resource(client, admin_token, "R", capacity=9, tags=["a"])
    path = f"{RESOURCES}/{created['resource_id']}"
    body = send_json(client, "PUT", path, {"name": "Renamed"}, admin_token).json_body
    assert (body["name"], body["capacity"], body["tags"], body["version"]) == ("Renamed", 1, [], 2)


def test_renaming_onto_a_taken_name_is_409(client: Client, admin_token: str) -> None:
    create_resource(client, admin_token, "A")
    b = create_resource(client, admin_token, "B")
    response = send_json(
        client, "PATCH", f"{RESOURCES}/{b['resource_id']}", {"name": "a"}, admin_token
    )
    assert response.status_code == 409 and error_code(response) == "resource_name_taken"


def test_delete_removes_it_and_frees_the_name(client: Client, admin_token: str) -> None:
    created = create_resource(client, admin_token, "Gone")
    path = f"{RESOURCES}/{created['resource_id']}"
    response = send_json(client, "DELETE", path, None, admin_token)
    assert response.status_code == 200
    assert response.json_body == {
        "resource_id": created["resource_id"],
        "cancelled_reservations": 0,
    }
    assert get_json(client, path, admin_token).status_code == 404
    assert send_json(client, "DELETE", path, None, admin_token).status_code == 404
    create_resource(client, admin_token, "gone")


def test_enable_and_disable(client: Client, admin_token: str, user_token: str) -> None:
    created = create_resource(client, admin_token, "R")
    path = f"{RESOURCES}/{created['resource_id']}"
    response = send_json(client, "PUT", f"{path}/availability", {"enabled": False}, admin_token)
    assert response.status_code == 200
    assert (response.json_body["enabled"], response.json_body["status"]) == (False, "disabled")
    summary = get_json(client, f"{RESOURCES}/availability/summary", user_token).json_body
    assert summary == {"total": 1, "enabled": 0, "disabled": 1, "maintenance": 0, "in_use": 0}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x" * 101},
        {"name": "R", "capacity": 0},
        {"name": "R", "capacity": "many"},
        {"name": "R", "timezone": "Mars/Olympus"},
        {"name": "R", "tags": ["bad/tag"]},
        {"name": "R", "tags": [f"t{i}" for i in range(21)]},
        {"name": "R", "min_duration_minutes": 120, "max_duration_minutes": 60},
        {"name": "R", "max_duration_minutes": 7 * 24 * 60 + 1},
        {"name": "R", "approvers": ["u1"]},
        {"name": "R", "colour": "red"},
        {"name": "R", "location": {"wing": "east"}},
    ],
)
def test_bad_resource_bodies_are_422(
    client: Client, admin_token: str, body: dict[str, Any]
) -> None:
    response = send_json(client, "POST", RESOURCES, body, admin_token)
    assert response.status_code == 422, response.body
    assert response.json_body["error"]["code"] in {"validation_error", "invalid_resource"}


def test_malformed_json_and_wrong_types_are_4xx(client: Client, admin_token: str) -> None:
    created = create_resource(client, admin_token, "R")
    path = f"{RESOURCES}/{created['resource_id']}"
    headers = {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"}
    assert client.http.post(RESOURCES, headers=headers, body=b"{nope").status_code == 400
    assert client.http.request("PATCH", path, headers=headers, body=b"[1]").status_code == 422
    for body in ({"name": None}, {"version": -1}, {"enabled": "perhaps"}):
        assert send_json(client, "PATCH", path, body, admin_token).status_code == 422, body
    assert send_json(client, "PUT", f"{path}/availability", {}, admin_token).status_code == 422
    assert send_json(client, "DELETE", f"{path}?force=maybe", None, admin_token).status_code == 422


def test_unknown_resources_are_404_on_every_route(client: Client, admin_token: str) -> None:
    path = f"{RESOURCES}/nope"
    for method, url, body in [
        ("GET", path, None),
        ("PATCH", path, {"capacity": 2}),
        ("PUT", path, {"name": "X"}),
        ("DELETE", path, None),
        ("PUT", f"{path}/availability", {"enabled": True}),
    ]:
        response = send_json(client, method, url, body, admin_token)
        assert response.status_code == 404, (method, url)
        assert error_code(response) == "resource_not_found"


def client_token(client: Client, admin_token: str, scopes: list[str]) -> str:
    created = send_json(
        client, "POST", "/api/v1/oauth/clients", {"name": "robot", "scopes": scopes}, admin_token
    )
    assert created.status_code == 201, created.body
    fields = {
        "grant_type": "client_credentials",
        "client_id": created.json_body["client_id"],
        "client_secret": created.json_body["client_secret"],
    }
    token = post_form(client, "/api/v1/oauth/token", fields)
    assert token.status_code == 200, token.body
    return str(token.json_body["access_token"])


def test_oauth_clients_read_with_resources_read_and_write_with_resources_write(
    client: Client, admin_token: str
) -> None:
    reader = client_token(client, admin_token, ["resources:read"])
    writer = client_token(client, admin_token, ["resources:read", "resources:write"])
    assert get_json(client, RESOURCES, reader).status_code == 200
    refused = send_json(client, "POST", RESOURCES, {"name": "By robot"}, reader)
    assert refused.status_code == 403 and error_code(refused) == "missing_scope"
    created = send_json(client, "POST", RESOURCES, {"name": "By robot"}, writer)
    assert created.status_code == 201, created.body
    assert created.json_body["approvers"] is None  # not an administrator: private fields hidden


def test_the_api_document_describes_the_catalogue(client: Client) -> None:
    doc = client.http.get("/openapi.json").json_body
    upload = doc["paths"]["/api/v1/resources/upload"]["post"]
    assert "ALL OR NOTHING" in upload["description"]
    blackouts = doc["paths"]["/api/v1/resources/{resource_id}/blackouts"]["get"]
    assert {p["name"] for p in blackouts["parameters"]} == {"resource_id", "from", "to"}
    listing = doc["paths"]["/api/v1/resources"]["get"]
    assert {"q", "tags", "status", "cursor", "limit", "sort", "order"} <= {
        p["name"] for p in listing["parameters"]
    }
