"""Free time of one resource: a local date's free intervals and slots, and next-available.

The frozen clock stands at Tue 2026-11-24 09:00 UTC (10:00 in Berlin).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import error_code, send_json
from tests.integration.reservations_kit import booked, cancel
from tests.resource_factories import RESOURCES, create_resource, get_json, make_guest

OFFICE_WEEK = {day: {"opens": "08:00", "closes": "18:00"} for day in ("mon", "tue", "wed", "thu")}
OFFICE_WEEK["fri"] = {"opens": "08:00", "closes": "18:00"}
EVERY_DAY_9_TO_5 = {
    day: {"opens": "09:00", "closes": "17:00"}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def a_room(client: Client, admin: str, name: str = "Room", **fields: Any) -> str:
    return str(create_resource(client, admin, name, **fields)["resource_id"])


def set_hours(client: Client, admin: str, room: str, days: dict[str, Any]) -> None:
    path = f"{RESOURCES}/{room}/business-hours"
    response = send_json(client, "PUT", path, {"days": days}, admin)
    assert response.status_code == 200, response.body


def black_out(client: Client, admin: str, room: str, first: str, last: str) -> None:
    body = {"start_date": first, "end_date": last, "reason": "closed"}
    response = send_json(client, "POST", f"{RESOURCES}/{room}/blackouts", body, admin)
    assert response.status_code == 201, response.body


def availability(client: Client, token: str | None, room: str, **params: Any) -> Any:
    return get_json(client, f"{RESOURCES}/{room}/availability?{urlencode(params)}", token)


def free_on(client: Client, token: str, room: str, **params: Any) -> list[dict[str, str]]:
    response = availability(client, token, room, **params)
    assert response.status_code == 200, response.body
    return list(response.json_body["slots"])


def next_available(client: Client, token: str | None, room: str, **params: Any) -> Any:
    return get_json(client, f"{RESOURCES}/{room}/next-available?{urlencode(params)}", token)


def local_starts(slots: list[dict[str, str]]) -> list[str]:
    return [slot["local_start"] for slot in slots]


def local_spans(slots: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(slot["local_start"], slot["local_end"]) for slot in slots]


# --- free time of a date ----------------------------------------------------------------------


def test_free_time_around_a_booking_is_narrowed_by_the_buffers(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given a Berlin room open 08:00-18:00 with 15 minutes of buffer on each side,
    # booked 10:00-11:00 local tomorrow
    room = a_room(
        client,
        admin_token,
        timezone="Europe/Berlin",
        buffer_before_minutes=15,
        buffer_after_minutes=15,
    )
    set_hours(client, admin_token, room, OFFICE_WEEK)
    start, end = utc("2026-11-25T10:00:00+01:00"), utc("2026-11-25T11:00:00+01:00")
    reservation = booked(client, user_token, start, end, resource_id=room)
    # When anyone asks for tomorrow's free time
    response = availability(client, user_token, room, date="2026-11-25")
    # Then the answer is in the room's zone, and the booking blocks 09:30-11:30 local
    # (a neighbour needs its own buffer too: reach = 15 + 15 minutes)
    assert response.status_code == 200, response.body
    body = response.json_body
    assert (body["timezone"], body["date"], body["slot_minutes"]) == (
        "Europe/Berlin",
        "2026-11-25",
        None,
    )
    assert body["slots"] == [
        {
            "start_time": "2026-11-25T07:00:00.000Z",
            "end_time": "2026-11-25T08:30:00.000Z",
            "local_start": "2026-11-25T08:00+01:00",
            "local_end": "2026-11-25T09:30+01:00",
        },
        {
            "start_time": "2026-11-25T10:30:00.000Z",
            "end_time": "2026-11-25T17:00:00.000Z",
            "local_start": "2026-11-25T11:30+01:00",
            "local_end": "2026-11-25T18:00+01:00",
        },
    ]
    # And hour slots lie on a grid from the opening time, none touching the blocked range
    hourly = free_on(client, user_token, room, date="2026-11-25", slot_minutes=60)
    assert [s[11:16] for s in local_starts(hourly)] == [
        "08:00",
        "12:00",
        "13:00",
        "14:00",
        "15:00",
        "16:00",
        "17:00",
    ]
    # When the booking is cancelled, Then the whole opening time is free again
    assert cancel(client, user_token, reservation).status_code == 200
    again = free_on(client, user_token, room, date="2026-11-25")
    assert local_spans(again) == [("2026-11-25T08:00+01:00", "2026-11-25T18:00+01:00")]


def test_closed_days_and_blackouts_have_no_free_time(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given a room open on weekdays, blacked out on Thursday 2026-11-26
    room = a_room(client, admin_token, timezone="Europe/Berlin")
    set_hours(client, admin_token, room, OFFICE_WEEK)
    black_out(client, admin_token, room, "2026-11-26", "2026-11-26")
    # Then Saturday (closed) and Thursday (blackout) have nothing, Friday is open all hours
    assert free_on(client, admin_token, room, date="2026-11-28") == []
    assert free_on(client, admin_token, room, date="2026-11-26") == []
    friday = free_on(client, admin_token, room, date="2026-11-27")
    assert local_spans(friday) == [("2026-11-27T08:00+01:00", "2026-11-27T18:00+01:00")]


def test_a_spring_forward_day_in_berlin_has_23_hours(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given an always-open Berlin room
    room = a_room(client, admin_token, timezone="Europe/Berlin")
    # When asked for 2027-03-28, when clocks jump from 02:00 to 03:00
    body = availability(client, admin_token, room, date="2027-03-28").json_body
    # Then the date runs 23 hours, from 00:00+01:00 to the next midnight at +02:00
    assert (body["day_start"], body["day_end"]) == (
        "2027-03-27T23:00:00.000Z",
        "2027-03-28T22:00:00.000Z",
    )
    assert local_spans(body["slots"]) == [("2027-03-28T00:00+01:00", "2027-03-29T00:00+02:00")]
    # And it holds 23 hour slots, with no 02:00 (that wall-clock hour does not exist)
    hourly = free_on(client, admin_token, room, date="2027-03-28", slot_minutes=60)
    assert len(hourly) == 23
    assert local_starts(hourly)[:3] == [
        "2027-03-28T00:00+01:00",
        "2027-03-28T01:00+01:00",
        "2027-03-28T03:00+02:00",
    ]


def test_the_past_and_the_notice_period_are_never_free(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given an always-open UTC room, and one that needs an hour's notice
    room = a_room(client, admin_token, "Room")
    noticed = a_room(client, admin_token, "Noticed", min_notice_minutes=60)
    # Then today (the default date) is free from now (09:00) to midnight
    today = availability(client, admin_token, room).json_body
    assert today["date"] == "2026-11-24"
    assert [(s["start_time"], s["end_time"]) for s in today["slots"]] == [
        ("2026-11-24T09:00:00.000Z", "2026-11-25T00:00:00.000Z")
    ]
    assert free_on(client, admin_token, noticed)[0]["start_time"] == "2026-11-24T10:00:00.000Z"
    # When ten minutes pass, Then the free time starts at 09:10 and whole slots at 09:30
    clock.advance(timedelta(minutes=10))
    assert free_on(client, admin_token, room)[0]["start_time"] == "2026-11-24T09:10:00.000Z"
    halves = free_on(client, admin_token, room, slot_minutes=30)
    assert halves[0]["start_time"] == "2026-11-24T09:30:00.000Z"
    # And yesterday has nothing at all
    assert free_on(client, admin_token, room, date="2026-11-23") == []


# --- next available ---------------------------------------------------------------------------


def test_next_available_skips_a_fully_booked_day(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given a room open 09:00-17:00 every day, booked all of tomorrow's opening hours
    room = a_room(client, admin_token)
    set_hours(client, admin_token, room, EVERY_DAY_9_TO_5)
    booked(client, user_token, utc("2026-11-25T09:00Z"), utc("2026-11-25T17:00Z"), resource_id=room)
    # When asked for an hour from tomorrow on (sent with an offset)
    response = next_available(
        client, user_token, room, duration_minutes=60, after="2026-11-25T08:00:00+01:00"
    )
    # Then the answer is the day after tomorrow at opening time
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["slot"] == {
        "start_time": "2026-11-26T09:00:00.000Z",
        "end_time": "2026-11-26T10:00:00.000Z",
        "local_start": "2026-11-26T09:00+00:00",
        "local_end": "2026-11-26T10:00+00:00",
    }
    assert (body["duration_minutes"], body["searched_from"]) == (60, "2026-11-25T07:00:00.000Z")
    # And without `after`, the search starts now: today is still open
    today = next_available(client, user_token, room, duration_minutes=60).json_body
    assert today["slot"]["start_time"] == "2026-11-24T09:00:00.000Z"


def test_next_available_is_null_when_nothing_is_free_in_the_searched_days(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given an always-open room blacked out from tomorrow until 2026-12-20
    room = a_room(client, admin_token)
    black_out(client, admin_token, room, "2026-11-25", "2026-12-20")
    # When asked from tomorrow on, Then 200 with no slot, and where the 14 days ended
    body = next_available(
        client, admin_token, room, duration_minutes=30, after="2026-11-25T00:00:00Z"
    ).json_body
    assert body["slot"] is None
    assert body["searched_until"] == "2026-12-09T00:00:00.000Z"
    # When the search continues from there, Then it finds the first day after the blackout
    later = next_available(
        client, admin_token, room, duration_minutes=30, after="2026-12-09T00:00:00Z"
    ).json_body
    assert later["slot"]["start_time"] == "2026-12-21T00:00:00.000Z"
    # And beyond the booking horizon nothing is searched at all
    beyond = next_available(
        client, admin_token, room, duration_minutes=30, after="2028-01-01T00:00:00Z"
    ).json_body
    assert (beyond["slot"], beyond["searched_until"]) == (None, None)


# --- input and access ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "code"),
    [
        ("availability?date=2026-13-01", "validation_error"),
        ("availability?date=2026-11-25&slot_minutes=0", "validation_error"),
        ("availability?day=2026-11-25", "validation_error"),
        ("availability?colour=red", "validation_error"),
        ("availability?date=2026-11-25&slot_minutes=10", "invalid_slot_length"),
        ("availability?date=2040-01-01", "date_out_of_range"),
        ("next-available", "validation_error"),
        ("next-available?duration_minutes=abc", "validation_error"),
        ("next-available?duration_minutes=60&after=2026-11-25T10:00:00", "validation_error"),
        ("next-available?duration_minutes=60&after=tomorrow", "validation_error"),
        ("next-available?duration_minutes=10", "duration_too_short"),
        ("next-available?duration_minutes=1500", "duration_too_long"),
        (
            "next-available?duration_minutes=60&after=9999-12-31T23:00:00-05:00",
            "datetime_out_of_range",
        ),
    ],
)
def test_bad_input_is_a_422_with_a_code(
    client: Client, clock: FrozenClock, admin_token: str, suffix: str, code: str
) -> None:
    room = a_room(client, admin_token)
    response = get_json(client, f"{RESOURCES}/{room}/{suffix}", admin_token)
    assert response.status_code == 422, response.body
    assert error_code(response) == code


@pytest.mark.parametrize(
    "path", ["availability?date=2026-11-25", "next-available?duration_minutes=60"]
)
def test_who_may_ask(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str, path: str
) -> None:
    room = a_room(client, admin_token)
    # Anonymous callers are refused
    anonymous = get_json(client, f"{RESOURCES}/{room}/{path}", None)
    assert anonymous.status_code == 401
    assert error_code(anonymous) == "not_authenticated"
    # Any signed-in principal with resources:read may ask, guests included
    guest = make_guest(client, admin_token)
    assert get_json(client, f"{RESOURCES}/{room}/{path}", guest).status_code == 200
    assert get_json(client, f"{RESOURCES}/{room}/{path}", user_token).status_code == 200
    # An unknown resource is a 404
    missing = get_json(client, f"{RESOURCES}/no-such-room/{path}", guest)
    assert missing.status_code == 404
    assert error_code(missing) == "resource_not_found"
