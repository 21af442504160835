"""Who may call what (anonymous, owner, other user, admin) and what bad input gets back."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import auth_headers
from tests.integration.reservations_kit import (
    RESERVATIONS,
    add_blackout,
    at,
    book,
    booked,
    booking_body,
    create_resource,
    office_hours,
    send,
)


@pytest.fixture
def room(clock: FrozenClock) -> str:
    return create_resource("room-1").resource_id


@pytest.fixture
def alices(client: Client, room: str, user_token: str) -> str:
    return booked(client, user_token, at(10), at(11))


def _routes(rid: str) -> list[tuple[str, str, dict[str, object] | None]]:
    move = {"start_time": "2026-11-25T12:00:00Z", "end_time": "2026-11-25T13:00:00Z"}
    return [
        ("POST", RESERVATIONS, booking_body(at(12), at(13))),
        ("GET", f"{RESERVATIONS}/my", None),
        ("GET", f"{RESERVATIONS}/{rid}", None),
        ("PATCH", f"{RESERVATIONS}/{rid}", move),
        ("POST", f"{RESERVATIONS}/{rid}/cancel", {"reason": "x"}),
        ("GET", f"{RESERVATIONS}/{rid}/history", None),
        ("GET", "/api/v1/admin/reservations", None),
        ("GET", "/api/v1/resources/room-1/schedule", None),
    ]


def test_anonymous_callers_get_401_everywhere(client: Client, alices: str) -> None:
    for method, path, body in _routes(alices):
        response = send(client, method, path, None, body)
        assert response.status_code == 401, (method, path)
        assert response.json_body["error"]["code"] == "not_authenticated"


def test_a_bad_token_is_401(client: Client, alices: str) -> None:
    response = send(client, "GET", f"{RESERVATIONS}/{alices}", "not-a-token")
    assert response.status_code == 401


def test_other_users_get_404_for_someone_elses_reservation(
    client: Client, alices: str, other_user_token: str
) -> None:
    # Given alice's reservation, When bob tries to read, move, cancel or see its history
    for method, path, body in _routes(alices)[2:6]:
        response = send(client, method, path, other_user_token, body)
        # Then it does not exist for him (no existence leak)
        assert response.status_code == 404, (method, path)
        assert response.json_body["error"]["code"] == "reservation_not_found"


def test_admins_may_read_move_and_see_history_of_any_reservation(
    client: Client, alices: str, admin_token: str
) -> None:
    assert send(client, "GET", f"{RESERVATIONS}/{alices}", admin_token).status_code == 200
    assert send(client, "GET", f"{RESERVATIONS}/{alices}/history", admin_token).status_code == 200
    move = {"start_time": "2026-11-25T12:00:00Z", "end_time": "2026-11-25T13:00:00Z"}
    moved = send(client, "PATCH", f"{RESERVATIONS}/{alices}", admin_token, move)
    assert moved.status_code == 200


def test_the_admin_listing_is_for_admins_only(client: Client, alices: str, user_token: str) -> None:
    response = send(client, "GET", "/api/v1/admin/reservations", user_token)
    assert response.status_code == 403
    assert response.json_body["error"]["code"] == "admin_required"


def test_unknown_reservation_and_resource_are_404(
    client: Client, room: str, user_token: str
) -> None:
    assert send(client, "GET", f"{RESERVATIONS}/nope", user_token).status_code == 404
    response = book(client, user_token, at(10), at(11), resource_id="ghost")
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "resource_not_found"
    schedule = send(client, "GET", "/api/v1/resources/ghost/schedule", user_token)
    assert schedule.status_code == 404


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2026-11-25T10:00:00", "2026-11-25T11:00:00Z", "validation_error"),
        ("2026-11-25T10:00:00Z", "2026-11-25T11:00:00", "validation_error"),
        ("tomorrow", "2026-11-25T11:00:00Z", "validation_error"),
        ("2026-11-25T11:00:00Z", "2026-11-25T10:00:00Z", "empty_range"),
        ("2026-11-25T11:00:00Z", "2026-11-25T11:00:00Z", "empty_range"),
    ],
)
def test_bad_windows_are_422(
    client: Client, room: str, user_token: str, start: str, end: str, code: str
) -> None:
    body = {"resource_id": room, "start_time": start, "end_time": end}
    response = send(client, "POST", RESERVATIONS, user_token, body)
    assert response.status_code == 422, response.body
    assert response.json_body["error"]["code"] == code


def test_naive_datetimes_are_named_in_the_error(client: Client, room: str, user_token: str) -> None:
    body = {"resource_id": room, "start_time": "2026-11-25T10:00:00", "end_time": "x"}
    details = send(client, "POST", RESERVATIONS, user_token, body).json_body["error"]["details"]
    assert {d["field"] for d in details} == {"start_time", "end_time"}


def test_malformed_json_and_unknown_fields_are_4xx_json(
    client: Client, room: str, user_token: str
) -> None:
    malformed = client.http.post(RESERVATIONS, headers=auth_headers(user_token), body="{nope")
    assert malformed.status_code == 400
    assert malformed.json_body["error"]["code"] == "malformed_json"
    unknown = send(
        client, "POST", RESERVATIONS, user_token, booking_body(at(10), at(11), colour="red")
    )
    assert unknown.status_code == 422
    assert unknown.json_body["error"]["details"][0]["field"] == "colour"
    not_object = send(client, "POST", RESERVATIONS, user_token, ["a"])
    assert not_object.status_code == 422
    missing = send(client, "POST", RESERVATIONS, user_token, {"resource_id": room})
    assert missing.status_code == 422


def test_bad_query_parameters_are_422(client: Client, alices: str, user_token: str) -> None:
    for query in ("?limit=0", "?limit=101", "?status=bogus", "?from=yesterday", "?colour=red"):
        response = send(client, "GET", f"{RESERVATIONS}/my{query}", user_token)
        assert response.status_code == 422, query
    bad_cursor = send(client, "GET", f"{RESERVATIONS}/my?cursor=abc", user_token)
    assert bad_cursor.status_code == 422
    assert bad_cursor.json_body["error"]["code"] == "invalid_cursor"
    reversed_window = send(
        client,
        "GET",
        f"{RESERVATIONS}/my?from=2026-11-26T00:00:00Z&to=2026-11-25T00:00:00Z",
        user_token,
    )
    assert reversed_window.status_code == 422


def test_rules_are_checked_at_booking_time(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    # Given a resource open Mon-Fri 08-18 with a blackout on Thursday 2026-11-26
    create_resource("office", business_hours=office_hours())
    add_blackout("office", at(0).date() + timedelta(days=1))
    cases = [
        (at(7), at(9), "outside_business_hours"),
        (
            at(10, day=at(0).date() + timedelta(days=1)),
            at(11, day=at(0).date() + timedelta(days=1)),
            "blackout_date",
        ),
        (
            at(8, day=at(0).date() - timedelta(days=1)),
            at(8, 30, day=at(0).date() - timedelta(days=1)),
            "start_in_past",
        ),
        (at(10), at(10, 5), "duration_too_short"),
    ]
    for start, end, code in cases:
        response = book(client, user_token, start, end, resource_id="office")
        assert response.status_code == 422, (code, response.body)
        assert response.json_body["error"]["code"] == code


def test_only_admins_may_override_hours_and_blackouts(
    client: Client, clock: FrozenClock, user_token: str, admin_token: str
) -> None:
    # Given a resource closed at 19:00
    create_resource("office", business_hours=office_hours())
    # When a user asks for an override, Then 403
    response = book(client, user_token, at(19), at(20), resource_id="office", override=True)
    assert response.status_code == 403
    assert response.json_body["error"]["code"] == "override_forbidden"
    # When an admin does, Then it is booked and the override is recorded
    response = book(client, admin_token, at(19), at(20), resource_id="office", override=True)
    assert response.status_code == 201, response.body
    assert response.json_body["override_by"] is not None
    rid = response.json_body["reservation_id"]
    entry = send(client, "GET", f"{RESERVATIONS}/{rid}/history", admin_token).json_body["items"][0]
    assert entry["details"]["override"] == "business_hours"
    # And an override never lets a booking overlap another
    clash = book(client, admin_token, at(19), at(20), resource_id="office", override=True)
    assert clash.status_code == 409


def test_cancel_reason_is_limited(client: Client, alices: str, user_token: str) -> None:
    response = send(
        client, "POST", f"{RESERVATIONS}/{alices}/cancel", user_token, {"reason": "x" * 501}
    )
    assert response.status_code == 422


def test_wrong_content_is_json_error(client: Client, alices: str, user_token: str) -> None:
    response = client.http.post(
        RESERVATIONS, headers=auth_headers(user_token), body=json.dumps("just a string")
    )
    assert response.status_code == 422
    assert "error" in response.json_body
