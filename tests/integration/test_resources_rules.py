"""Maintenance and live status, business hours, blackout dates: through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import ADMIN_PASSWORD, ADMIN_USERNAME, error_code, login, send_json
from tests.resource_factories import RESOURCES, create_resource, get_json, make_guest

NINE_TO_FIVE = {
    "mon": {"opens": "09:00", "closes": "17:00"},
    "tue": {"opens": "09:00", "closes": "17:00"},
}
ALWAYS = {"sat": {"opens": "00:00", "closes": "24:00"}}


@pytest.fixture
def room(client: Client, admin_token: str, clock: FrozenClock) -> str:
    return str(
        create_resource(client, admin_token, "Room", timezone="Europe/Berlin")["resource_id"]
    )


def fresh_admin(client: Client) -> str:
    """Tokens live 15 minutes; tests that move the clock by hours sign in again."""
    return str(login(client, ADMIN_USERNAME, ADMIN_PASSWORD)["access_token"])


# --- maintenance and status ---------------------------------------------------------------


def test_maintenance_counts_down_and_ends_by_itself_on_read(
    client: Client, admin_token: str, clock: FrozenClock, room: str
) -> None:
    # Given a room put into maintenance for two hours
    body = {"reason": "projector broken", "auto_reset_hours": 2}
    started = send_json(client, "PUT", f"{RESOURCES}/{room}/status/unavailable", body, admin_token)
    assert started.status_code == 200, started.body
    assert started.json_body["status"] == "maintenance"
    assert started.json_body["maintenance"] == {
        "reason": "projector broken",
        "started_at": "2026-11-24T09:00:00.000Z",
        "auto_reset_at": "2026-11-24T11:00:00.000Z",
        "seconds_until_reset": 7200,
    }
    version = get_json(client, f"{RESOURCES}/{room}", admin_token).json_body["version"]
    # When 90 minutes pass, Then the countdown shows 30 minutes
    clock.advance(timedelta(minutes=90))
    token = fresh_admin(client)
    status = get_json(client, f"{RESOURCES}/{room}/status", token).json_body
    assert (status["status"], status["maintenance"]["seconds_until_reset"]) == ("maintenance", 1800)
    # When the auto-reset time passes, Then every read says available, and nothing was written
    clock.advance(timedelta(minutes=30))
    token = fresh_admin(client)
    status = get_json(client, f"{RESOURCES}/{room}/status", token).json_body
    assert (status["status"], status["maintenance"]) == ("available", None)
    resource = get_json(client, f"{RESOURCES}/{room}", token).json_body
    assert (resource["status"], resource["version"]) == ("available", version)
    summary = get_json(client, f"{RESOURCES}/availability/summary", token).json_body
    assert summary["maintenance"] == 0


def test_open_ended_maintenance_lasts_until_ended(
    client: Client, admin_token: str, clock: FrozenClock, room: str
) -> None:
    send_json(
        client,
        "PUT",
        f"{RESOURCES}/{room}/status/unavailable",
        {"auto_reset_hours": 0},
        admin_token,
    )
    clock.advance(timedelta(days=30))
    token = fresh_admin(client)
    status = get_json(client, f"{RESOURCES}/{room}/status", token).json_body
    assert status["status"] == "maintenance"
    assert status["maintenance"]["seconds_until_reset"] is None
    assert (
        get_json(client, f"{RESOURCES}/availability/summary", token).json_body["maintenance"] == 1
    )
    ended = send_json(client, "PUT", f"{RESOURCES}/{room}/status/available", None, token)
    assert (ended.status_code, ended.json_body["status"]) == (200, "available")
    assert (
        get_json(client, f"{RESOURCES}/availability/summary", token).json_body["maintenance"] == 0
    )


def test_status_is_readable_by_guests_and_shows_no_user_details(
    client: Client, admin_token: str, room: str
) -> None:
    guest = make_guest(client, admin_token)
    status = get_json(client, f"{RESOURCES}/{room}/status", guest)
    assert status.status_code == 200
    assert set(status.json_body) == {
        "resource_id",
        "status",
        "enabled",
        "maintenance",
        "current_reservation",
        "checked_at",
    }
    assert get_json(client, f"{RESOURCES}/{room}/status", None).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"auto_reset_hours": -1},
        {"auto_reset_hours": 721},
        {"auto_reset_hours": "soon"},
        {"reason": "x" * 501},
        {"reason": "x", "until": "tomorrow"},
    ],
)
def test_bad_maintenance_requests_are_422(
    client: Client, admin_token: str, room: str, body: dict[str, Any]
) -> None:
    response = send_json(client, "PUT", f"{RESOURCES}/{room}/status/unavailable", body, admin_token)
    assert response.status_code == 422, response.body


def test_only_admins_change_maintenance(
    client: Client, admin_token: str, user_token: str, room: str
) -> None:
    guest = make_guest(client, admin_token)
    for token in (user_token, guest):
        for action in ("unavailable", "available"):
            response = send_json(client, "PUT", f"{RESOURCES}/{room}/status/{action}", {}, token)
            assert response.status_code == 403, (action, response.body)
    for action in ("unavailable", "available"):
        path = f"{RESOURCES}/{room}/status/{action}"
        assert send_json(client, "PUT", path, {}).status_code == 401


def test_status_routes_answer_404_for_unknown_resources(client: Client, admin_token: str) -> None:
    for method, suffix in (
        ("GET", "status"),
        ("PUT", "status/unavailable"),
        ("PUT", "status/available"),
    ):
        response = send_json(
            client,
            method,
            f"{RESOURCES}/nope/{suffix}",
            {} if method == "PUT" else None,
            admin_token,
        )
        assert response.status_code == 404 and error_code(response) == "resource_not_found"


# --- business hours -----------------------------------------------------------------------


def test_hours_fall_back_from_resource_to_default_to_always_open(
    client: Client, admin_token: str, user_token: str, room: str
) -> None:
    path = f"{RESOURCES}/{room}/business-hours"
    first = get_json(client, path, user_token).json_body
    assert (first["source"], first["days"], first["effective"]) == ("always_open", None, None)
    # Given a global default
    put_default = send_json(
        client, "PUT", "/api/v1/business-hours/default", {"days": ALWAYS}, admin_token
    )
    assert put_default.status_code == 200, put_default.body
    assert put_default.json_body["days"]["sat"] == {"opens": "00:00", "closes": "24:00"}
    after_default = get_json(client, path, user_token).json_body
    assert (after_default["source"], after_default["days"]) == ("default", None)
    assert after_default["effective"]["sat"] == {"opens": "00:00", "closes": "24:00"}
    # When the room gets its own week, Then it wins and the resource says so
    own = send_json(client, "PUT", path, {"days": NINE_TO_FIVE}, admin_token)
    assert own.status_code == 200, own.body
    assert own.json_body["source"] == "resource"
    assert own.json_body["days"]["mon"] == {"opens": "09:00", "closes": "17:00"}
    assert own.json_body["days"]["wed"] is None
    assert get_json(client, f"{RESOURCES}/{room}", user_token).json_body["has_own_business_hours"]
    # When it is cleared, Then the default applies again
    cleared = send_json(client, "PUT", path, {"days": None}, admin_token).json_body
    assert cleared["source"] == "default"
    # And clearing the default means always open
    send_json(client, "PUT", "/api/v1/business-hours/default", {"days": None}, admin_token)
    assert get_json(client, "/api/v1/business-hours/default", user_token).json_body == {
        "days": None
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"days": {"mon": {"opens": "18:00", "closes": "08:00"}}},
        {"days": {"mon": {"opens": "09:00", "closes": "09:00"}}},
        {"days": {"mon": {"opens": "25:00", "closes": "26:00"}}},
        {"days": {"mon": {"opens": "9", "closes": "17:00"}}},
        {"days": {"funday": {"opens": "09:00", "closes": "17:00"}}},
        {"days": {"mon": {"opens": "09:00"}}},
        {"days": {"mon": {"opens": "09:00", "closes": "17:00", "lunch": "12:00"}}},
        {"days": "always"},
        {"days": {}, "timezone": "UTC"},
    ],
)
def test_bad_hours_are_422_on_both_routes(
    client: Client, admin_token: str, room: str, body: dict[str, Any]
) -> None:
    for path in (f"{RESOURCES}/{room}/business-hours", "/api/v1/business-hours/default"):
        response = send_json(client, "PUT", path, body, admin_token)
        assert response.status_code == 422, (path, body, response.body)


def test_only_admins_set_hours_and_anonymous_cannot_read_them(
    client: Client, admin_token: str, user_token: str, room: str
) -> None:
    for path in (f"{RESOURCES}/{room}/business-hours", "/api/v1/business-hours/default"):
        assert send_json(client, "PUT", path, {"days": None}, user_token).status_code == 403
        assert send_json(client, "PUT", path, {"days": None}).status_code == 401
        assert get_json(client, path, None).status_code == 401
        assert get_json(client, path, user_token).status_code == 200
    assert get_json(client, f"{RESOURCES}/nope/business-hours", user_token).status_code == 404


# --- blackouts ----------------------------------------------------------------------------


def add_blackout(
    client: Client, token: str, path: str, start: str, end: str, reason: str = ""
) -> Any:
    body = {"start_date": start, "end_date": end, "reason": reason}
    return send_json(client, "POST", path, body, token)


def test_resource_and_global_blackouts_are_listed_together(
    client: Client, admin_token: str, user_token: str, room: str
) -> None:
    own_path = f"{RESOURCES}/{room}/blackouts"
    own = add_blackout(client, admin_token, own_path, "2026-12-24", "2026-12-26", "Christmas")
    glob = add_blackout(client, admin_token, "/api/v1/blackouts", "2026-12-31", "2027-01-01", "NY")
    assert (own.status_code, glob.status_code) == (201, 201)
    assert own.json_body["scope"] == "resource" and glob.json_body["scope"] == "global"
    assert own.json_body["end_date"] == "2026-12-26"
    listed = get_json(client, own_path, user_token).json_body
    assert [(b["reason"], b["scope"]) for b in listed] == [
        ("Christmas", "resource"),
        ("NY", "global"),
    ]
    only_global = get_json(client, "/api/v1/blackouts", user_token).json_body
    assert [b["reason"] for b in only_global] == ["NY"]
    window = get_json(client, f"{own_path}?from=2026-12-27&to=2026-12-31", user_token).json_body
    assert [b["reason"] for b in window] == ["NY"]


def test_past_blackouts_are_not_listed_by_default(
    client: Client, admin_token: str, room: str
) -> None:
    path = f"{RESOURCES}/{room}/blackouts"
    add_blackout(client, admin_token, path, "2026-11-01", "2026-11-23", "over")
    add_blackout(client, admin_token, path, "2026-11-20", "2026-11-24", "today")
    assert [b["reason"] for b in get_json(client, path, admin_token).json_body] == ["today"]


def test_blackouts_are_deleted_within_their_own_scope(
    client: Client, admin_token: str, room: str
) -> None:
    own = add_blackout(
        client, admin_token, f"{RESOURCES}/{room}/blackouts", "2026-12-01", "2026-12-01"
    )
    glob = add_blackout(client, admin_token, "/api/v1/blackouts", "2026-12-02", "2026-12-02")
    own_id, glob_id = own.json_body["blackout_id"], glob.json_body["blackout_id"]
    # A blackout is not reachable through the other scope's route
    wrong = send_json(client, "DELETE", f"/api/v1/blackouts/{own_id}", None, admin_token)
    assert wrong.status_code == 404 and error_code(wrong) == "blackout_not_found"
    assert (
        send_json(
            client, "DELETE", f"{RESOURCES}/{room}/blackouts/{glob_id}", None, admin_token
        ).status_code
        == 404
    )
    # Each is deleted through its own, once
    assert (
        send_json(
            client, "DELETE", f"{RESOURCES}/{room}/blackouts/{own_id}", None, admin_token
        ).status_code
        == 204
    )
    assert (
        send_json(client, "DELETE", f"/api/v1/blackouts/{glob_id}", None, admin_token).status_code
        == 204
    )
    assert (
        send_json(client, "DELETE", f"/api/v1/blackouts/{glob_id}", None, admin_token).status_code
        == 404
    )
    assert (
        get_json(client, f"{RESOURCES}/{room}/blackouts?from=2026-12-01", admin_token).json_body
        == []
    )


@pytest.mark.parametrize(
    "body",
    [
        {"start_date": "2026-12-02", "end_date": "2026-12-01"},
        {"start_date": "2026-01-01", "end_date": "2027-01-05"},
        {"start_date": "tomorrow", "end_date": "2026-12-01"},
        {"start_date": "2026-12-01"},
        {"start_date": "2026-12-01", "end_date": "2026-12-01", "reason": "x" * 501},
        {"start_date": "2026-12-01", "end_date": "2026-12-01", "scope": "all"},
    ],
)
def test_bad_blackouts_are_422(
    client: Client, admin_token: str, room: str, body: dict[str, Any]
) -> None:
    for path in (f"{RESOURCES}/{room}/blackouts", "/api/v1/blackouts"):
        response = send_json(client, "POST", path, body, admin_token)
        assert response.status_code == 422, (path, response.body)


@pytest.mark.parametrize(
    "query", ["from=2026-12-02&to=2026-12-01", "from=2026-01-01&to=2028-01-05", "from=soon"]
)
def test_bad_blackout_windows_are_422(
    client: Client, user_token: str, room: str, query: str
) -> None:
    for path in (f"{RESOURCES}/{room}/blackouts", "/api/v1/blackouts"):
        assert get_json(client, f"{path}?{query}", user_token).status_code == 422


def test_blackout_permissions_and_unknown_resources(
    client: Client, admin_token: str, user_token: str, room: str
) -> None:
    guest = make_guest(client, admin_token)
    for path in (f"{RESOURCES}/{room}/blackouts", "/api/v1/blackouts"):
        assert get_json(client, path, guest).status_code == 200
        assert get_json(client, path, None).status_code == 401
        for token in (user_token, guest):
            assert add_blackout(client, token, path, "2026-12-01", "2026-12-01").status_code == 403
        assert send_json(client, "DELETE", f"{path}/any", None, user_token).status_code == 403
        assert send_json(client, "DELETE", f"{path}/any", None).status_code == 401
    missing = add_blackout(
        client, admin_token, f"{RESOURCES}/nope/blackouts", "2026-12-01", "2026-12-01"
    )
    assert missing.status_code == 404 and error_code(missing) == "resource_not_found"
    assert get_json(client, f"{RESOURCES}/nope/blackouts", user_token).status_code == 404
