"""Analytics on the running local stack (issue 12): a user books, moves, cancels and checks
in through the API; the stream -> bus -> analytics worker path counts it, and the user's
own figures (and only theirs) say so. Polls with a deadline until the worker caught up."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.browser import USER_PASSWORD, ApiClient, unique

SETTLE_S = 60.0


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _book(api: ApiClient, token: str, room: str, start: datetime, minutes: int) -> str:
    body = {
        "resource_id": room,
        "start_time": _iso(start),
        "end_time": _iso(start + timedelta(minutes=minutes)),
    }
    return str(api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"])


def _until(read: Any, expected: Any, what: str) -> Any:
    deadline = time.monotonic() + SETTLE_S
    seen = None
    while time.monotonic() < deadline:
        seen = read()
        if seen == expected:
            return seen
        time.sleep(0.5)
    raise AssertionError(f"not within {SETTLE_S} s: {what} (last seen {seen!r})")


def test_booked_moved_cancelled_and_checked_in_time_is_counted(
    api: ApiClient, admin_api_token: str
) -> None:
    admin = admin_api_token
    room = api.create_resource(admin, unique("Stats desk"), timezone="UTC")["resource_id"]
    policy = {"required": True, "opens_before_minutes": 30, "closes_after_minutes": 30}
    api.call("PUT", f"/api/v1/resources/{room}/check-in", admin, json=policy)
    names = [unique("counted"), unique("bystander")]
    for name in names:
        api.register(name)
    user, bystander = (api.login(n, USER_PASSWORD) for n in names)

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # One booking starting now (checked in), one moved, one cancelled
    attended = _book(api, user, room, now + timedelta(minutes=1), 60)
    moved = _book(api, user, room, now + timedelta(hours=3), 30)
    body = {
        "start_time": _iso(now + timedelta(hours=4)),
        "end_time": _iso(now + timedelta(hours=5)),
    }
    api.call("PATCH", f"/api/v1/reservations/{moved}", user, json=body)
    cancelled = _book(api, user, room, now + timedelta(hours=6), 60)
    api.call("POST", f"/api/v1/reservations/{cancelled}/cancel", user, json={"reason": "no"})
    api.call("POST", f"/api/v1/reservations/{attended}/check-in", user)

    day = now.date()
    span = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}

    def mine() -> tuple[Any, ...]:
        d = api.call("GET", "/api/v1/analytics/dashboard", user, params=span)
        return (
            d["scope"],
            d["reservations"],
            d["booked_hours"],
            d["checked_in_hours"],
            d["cancellations"],
        )

    _until(mine, ("mine", 2, 2.0, 1.0, 1), "the user's dashboard counts their bookings")
    rows = api.call("GET", "/api/v1/analytics/utilisation", user, params=span)["items"]
    assert [(r["resource_id"], r["booked_hours"]) for r in rows] == [(room, 2.0)]
    # The bystander sees none of it; the admin sees the room's two hours
    other = api.call("GET", "/api/v1/analytics/dashboard", bystander, params=span)
    assert other["reservations"] == 0
    everyone = api.call("GET", "/api/v1/analytics/utilisation", admin, params=span)["items"]
    assert [r["booked_hours"] for r in everyone if r["resource_id"] == room] == [2.0]
