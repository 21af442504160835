"""Calendar feeds on the running local stack (issue 12): a user books, moves, checks in and
cancels through the API; their calendar app (plain HTTP, no bearer) then reads the feed, which
shows every change with a higher SEQUENCE, keeps the cancelled one as CANCELLED and answers a
revalidation with 304. Another user's feed holds none of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.calendar_kit import Ev, parse_feed
from tests.e2e.browser import USER_PASSWORD, ApiClient, unique

pytestmark = [pytest.mark.e2e]


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _book(api: ApiClient, token: str, room: str, start: datetime, minutes: int) -> dict[str, Any]:
    body = {
        "resource_id": room,
        "start_time": _iso(start),
        "end_time": _iso(start + timedelta(minutes=minutes)),
    }
    result: dict[str, Any] = api.call("POST", "/api/v1/reservations", token, json=body)
    return result


def _event(events: list[Ev], reservation: dict[str, Any]) -> Ev:
    return next(e for e in events if e.uid == f"{reservation['reservation_id']}@resource-reserver")


def test_book_move_check_in_cancel_then_read_the_feed(api: ApiClient, admin_api_token: str) -> None:
    # Given a room with check-in, and two users
    room = api.create_resource(admin_api_token, unique("Feed room"))["resource_id"]
    policy = {"required": True, "opens_before_minutes": 30, "closes_after_minutes": 30}
    api.call("PUT", f"/api/v1/resources/{room}/check-in", admin_api_token, json=policy)
    names = [unique("feeder"), unique("stranger")]
    for name in names:
        api.register(name)
    alice, bob = (api.login(n, USER_PASSWORD) for n in names)
    feed_url = api.call("GET", "/api/v1/calendar/subscription-url", alice)["url"]
    assert feed_url.startswith(str(api.http.base_url).rstrip("/"))

    # When alice books three times, checks in to one, moves one and cancels one
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=10)
    later = soon.replace(hour=10, minute=0) + timedelta(days=2)
    here = _book(api, alice, room, soon, 30)
    moved = _book(api, alice, room, later, 60)
    dropped = _book(api, alice, room, later + timedelta(hours=4), 60)
    api.call("POST", f"/api/v1/reservations/{here['reservation_id']}/check-in", alice)
    new_start = later + timedelta(hours=1)
    body = {"start_time": _iso(new_start), "end_time": _iso(new_start + timedelta(hours=1))}
    api.call("PATCH", f"/api/v1/reservations/{moved['reservation_id']}", alice, json=body)
    reason = {"reason": "not needed"}
    api.call("POST", f"/api/v1/reservations/{dropped['reservation_id']}/cancel", alice, json=reason)

    # Then the calendar app, with no bearer, sees each change
    response = httpx.get(feed_url, timeout=10.0)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/calendar")
    events = parse_feed(response.text)
    assert len(events) == 3
    checked_in, shifted, cancelled = (_event(events, r) for r in (here, moved, dropped))
    assert checked_in.status == "CONFIRMED" and checked_in.sequence > here["version"]
    assert shifted.start == new_start and shifted.sequence > moved["version"]
    assert cancelled.status == "CANCELLED" and cancelled.sequence > dropped["version"]
    assert {e.tzid for e in events} == {"Europe/Paris"}
    # And a revalidation answers 304; bob's feed and bob's export hold nothing of alice's
    again = httpx.get(feed_url, headers={"If-None-Match": response.headers["ETag"]}, timeout=10.0)
    assert again.status_code == 304 and again.content == b""
    bobs = api.call("GET", "/api/v1/calendar/subscription-url", bob)["url"]
    assert parse_feed(httpx.get(bobs, timeout=10.0).text) == []
    export = api.http.get(
        f"/api/v1/calendar/export/{here['reservation_id']}.ics",
        headers={"Authorization": f"Bearer {bob}"},
    )
    assert export.status_code == 404
