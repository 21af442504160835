"""Check-in and the no-show release (issue 10): the resource setting, checking in by the owner
and through the signed link, the release job, the expiry job's endings, strikes in a series."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.reservations import ReservationStatus
from chalicelib.integrations.qr import png_data_uri
from chalicelib.settings import get_settings
from chalicelib.store.reservations.repository import ReservationStore
from tests.factories import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    auth_headers,
    error_code,
    login,
    register,
    send_json,
)
from tests.integration.reservations_kit import book, create_resource, iso

TODAY = date(2026, 11, 24)  # the frozen clock stands at 09:00 on this day
ROOM = "room-1"
POLICY = f"/api/v1/resources/{ROOM}/check-in"


def today(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def out(value: datetime) -> str:
    """An instant as the API writes it."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def token_of(client: Client, username: str) -> str:
    """A fresh token (the tests move the clock past token lifetimes)."""
    password = ADMIN_PASSWORD if username == ADMIN_USERNAME else None
    response = login(client, username, password) if password else login(client, username)
    return str(response["access_token"])


def admin(client: Client) -> str:
    return token_of(client, ADMIN_USERNAME)


def set_policy(client: Client, **body: Any) -> Any:
    return send_json(client, "PUT", POLICY, {"required": True, **body}, admin(client))


def reserve(client: Client, username: str, start: datetime, end: datetime) -> str:
    response = book(client, token_of(client, username), start, end)
    assert response.status_code == 201, response.body
    return str(response.json_body["reservation_id"])


def check_in(client: Client, username: str, reservation_id: str) -> Any:
    path = f"/api/v1/reservations/{reservation_id}/check-in"
    return send_json(client, "POST", path, None, token_of(client, username))


def status_of(reservation_id: str) -> ReservationStatus:
    found = ReservationStore().get(reservation_id)
    assert found is not None
    return found.status


def run_job(client: Client, name: str) -> dict[str, int]:
    response = send_json(client, "POST", f"/api/v1/admin/jobs/{name}/run", None, admin(client))
    assert response.status_code == 200, response.body
    result: dict[str, int] = response.json_body["result"]
    return result


@pytest.fixture
def people(client: Client, clock: FrozenClock, admin_token: str) -> None:
    create_resource(ROOM)
    register(client, "alice")
    register(client, "bob")


def test_admins_set_the_check_in_setting_and_bad_values_are_422(
    client: Client, people: None
) -> None:
    assert client.http.get(POLICY, headers=auth_headers(token_of(client, "alice"))).json_body == {
        "required": False,
        "opens_before_minutes": 15,
        "closes_after_minutes": 15,
        "no_show_strikes": 0,
    }
    user = send_json(client, "PUT", POLICY, {"required": True}, token_of(client, "alice"))
    assert user.status_code == 403
    for bad in (
        {"required": True, "closes_after_minutes": -1},
        {"required": True, "no_show_strikes": 21},
        {"required": True, "opens_before_minutes": 241},
        {"required": "yes please"},
        {"required": True, "colour": "red"},
        {},
    ):
        response = send_json(client, "PUT", POLICY, bad, admin(client))
        assert response.status_code == 422, (bad, response.body)
        assert response.json_body["error"]["code"] == "validation_error"
    saved = set_policy(client, opens_before_minutes=10, closes_after_minutes=5, no_show_strikes=2)
    assert saved.status_code == 200, saved.body
    assert saved.json_body["closes_after_minutes"] == 5
    resource = client.http.get(f"/api/v1/resources/{ROOM}", headers=auth_headers(admin(client)))
    assert resource.status_code == 200  # the resource itself still reads fine
    missing = send_json(
        client, "PUT", "/api/v1/resources/nope/check-in", {"required": True}, admin(client)
    )
    assert missing.status_code == 404


def test_the_owner_checks_in_inside_the_window_only(
    client: Client, people: None, clock: FrozenClock
) -> None:
    set_policy(client)
    booking = reserve(client, "alice", today(10), today(11))
    state = client.http.get(
        f"/api/v1/reservations/{booking}/check-in", headers=auth_headers(token_of(client, "alice"))
    ).json_body
    assert state["required"] and not state["checked_in"]
    assert (state["opens_at"], state["closes_at"]) == (out(today(9, 45)), out(today(10, 15)))
    assert state["check_in_path"].startswith("/api/v1/checkin/")
    # the link as a phone opens it, and its QR code (the owner's view only)
    public = get_settings().api_public_url.rstrip("/")
    assert state["check_in_url"] == public + state["check_in_path"]
    assert state["check_in_qr"] == png_data_uri(state["check_in_url"])
    assert state["check_in_qr"].startswith("data:image/png;base64,")
    by_link = client.http.get(state["check_in_path"]).json_body
    assert by_link["check_in_url"] == state["check_in_url"] and by_link["check_in_qr"] is None

    early = check_in(client, "alice", booking)
    assert early.status_code == 409 and error_code(early) == "check_in_not_open"
    assert early.json_body["error"]["details"]["opens_at"] == out(today(9, 45))
    clock.set(today(9, 50))
    assert check_in(client, "bob", booking).status_code == 404  # not bob's: no leak
    done = check_in(client, "alice", booking)
    assert done.status_code == 200, done.body
    assert done.json_body["status"] == "checked_in" and done.json_body["checked_in"]
    assert check_in(client, "alice", booking).status_code == 200  # a double tap is fine
    assert status_of(booking) == ReservationStatus.CHECKED_IN
    history = client.http.get(
        f"/api/v1/reservations/{booking}/history", headers=auth_headers(token_of(client, "alice"))
    ).json_body
    assert [e["action"] for e in history["items"]][-1] == "checked_in"

    late = reserve(client, "alice", today(12), today(13))
    clock.set(today(12, 15))
    closed = check_in(client, "alice", late)
    assert closed.status_code == 409 and error_code(closed) == "check_in_closed"


def test_an_admin_may_check_in_for_the_owner_but_not_a_cancelled_booking(
    client: Client, people: None, clock: FrozenClock
) -> None:
    booking = reserve(client, "alice", today(10), today(11))
    clock.set(today(10))
    assert check_in(client, ADMIN_USERNAME, booking).status_code == 200  # not required: allowed
    other = reserve(client, "alice", today(11), today(12))
    send_json(
        client,
        "POST",
        f"/api/v1/reservations/{other}/cancel",
        {"reason": "x"},
        token_of(client, "alice"),
    )
    clock.set(today(11))
    refused = check_in(client, "alice", other)
    assert refused.status_code == 409 and error_code(refused) == "invalid_transition"


def test_the_signed_link_shows_on_get_and_checks_in_on_post_only(
    client: Client, people: None, clock: FrozenClock
) -> None:
    set_policy(client)
    booking = reserve(client, "alice", today(10), today(11))
    path = client.http.get(
        f"/api/v1/reservations/{booking}/check-in", headers=auth_headers(token_of(client, "alice"))
    ).json_body["check_in_path"]
    clock.set(today(9, 50))
    shown = client.http.get(path)
    assert shown.status_code == 200 and shown.json_body["resource_name"] == f"Resource {ROOM}"
    assert "user_id" not in shown.json_body and "notes" not in shown.json_body
    page = client.http.get(path, headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<form method="post">' in page.body.decode()
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert status_of(booking) == ReservationStatus.ACTIVE  # a GET never acts

    form = client.http.post(
        path,
        headers={"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"},
        body=b"",
    )
    assert form.status_code == 200 and "You are checked in" in form.body.decode()
    assert status_of(booking) == ReservationStatus.CHECKED_IN

    forged = client.http.get(path[:-3] + "AAA")
    assert forged.status_code == 404 and error_code(forged) == "invalid_link"
    assert client.http.post("/api/v1/checkin/not-a-token").status_code == 404
    clock.set(today(10, 15))
    expired = client.http.post(path)
    assert expired.status_code == 410 and error_code(expired) == "link_expired"
    refusal = client.http.get(path, headers={"Accept": "text/html"})
    assert refusal.status_code == 410 and "this link has expired" in refusal.body.decode()


def test_the_job_releases_a_missed_check_in_and_the_slot_is_bookable_again(
    client: Client, people: None, clock: FrozenClock
) -> None:
    set_policy(client)
    missed = reserve(client, "alice", today(10), today(12))
    kept = reserve(client, "bob", today(12), today(13))
    clock.set(today(10, 14))
    assert run_job(client, "release-no-shows")["released"] == 0  # window still open
    clock.set(today(10, 15))
    assert run_job(client, "release-no-shows")["released"] == 1
    assert run_job(client, "release-no-shows")["released"] == 0  # idempotent
    assert status_of(missed) == ReservationStatus.NO_SHOW
    assert status_of(kept) == ReservationStatus.ACTIVE
    reserve(client, "bob", today(10, 30), today(11, 30))  # the freed slot is bookable
    mine = client.http.get(
        "/api/v1/users/me/no-shows", headers=auth_headers(token_of(client, "alice"))
    ).json_body
    assert mine["total"] == 1 and mine["by_resource"][0]["resource_id"] == ROOM
    room = client.http.get(
        f"/api/v1/resources/{ROOM}/no-shows", headers=auth_headers(admin(client))
    ).json_body
    assert [(c["user_id"], c["no_shows"]) for c in room["by_resource"]] == [
        (mine["by_resource"][0]["user_id"], 1)
    ]
    refused = client.http.get(
        f"/api/v1/resources/{ROOM}/no-shows", headers=auth_headers(token_of(client, "bob"))
    )
    assert refused.status_code == 403


def test_the_expiry_job_ends_checked_in_as_completed_and_missed_as_no_show(
    client: Client, people: None, clock: FrozenClock
) -> None:
    create_resource("room-2")  # no check-in there
    response = book(client, token_of(client, "alice"), today(10), today(11), resource_id="room-2")
    plain = str(response.json_body["reservation_id"])
    set_policy(client)
    attended = reserve(client, "alice", today(11), today(12))
    missed = reserve(client, "bob", today(12), today(13))
    clock.set(today(11, 5))
    assert check_in(client, "alice", attended).status_code == 200
    clock.set(today(14))  # the no-show job never ran: the expiry job settles all three
    result = run_job(client, "expire-reservations")
    assert result == {"expired": 1, "completed": 1, "no_show": 1, "skipped": 0}
    assert status_of(plain) == ReservationStatus.EXPIRED
    assert status_of(attended) == ReservationStatus.COMPLETED
    assert status_of(missed) == ReservationStatus.NO_SHOW


def test_strikes_cancel_the_rest_of_a_series(
    client: Client, people: None, clock: FrozenClock
) -> None:
    set_policy(client, no_show_strikes=2)
    created = send_json(
        client,
        "POST",
        "/api/v1/reservations/recurring",
        {
            "resource_id": ROOM,
            "start_time": iso(today(10)),
            "end_time": iso(today(11)),
            "rrule": "FREQ=DAILY;COUNT=4",
        },
        token_of(client, "alice"),
    )
    assert created.status_code == 201, created.body
    occurrences = [o["reservation_id"] for o in created.json_body["occurrences"]]
    clock.set(today(10, 20))
    assert run_job(client, "release-no-shows") == {
        "released": 1,
        "skipped": 0,
        "series_cancelled": 0,
    }
    clock.set(today(10, 20, TODAY + timedelta(days=1)))
    assert run_job(client, "release-no-shows")["series_cancelled"] == 1
    statuses = [status_of(r) for r in occurrences]
    assert statuses == [
        ReservationStatus.NO_SHOW,
        ReservationStatus.NO_SHOW,
        ReservationStatus.CANCELLED,
        ReservationStatus.CANCELLED,
    ]
    series = client.http.get(
        f"/api/v1/series/{created.json_body['series_id']}",
        headers=auth_headers(token_of(client, "alice")),
    ).json_body
    assert series["status"] == "cancelled"
    assert "missed check-ins" in series["cancellation_reason"]
