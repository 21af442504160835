"""Check-in on the running local stack (issue 10): one holder checks in through the signed
link, the other does not; the release job frees the missed slot, which is bookable again, and
the pipeline tells the no-show's owner."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.browser import USER_PASSWORD, ApiClient, unique

SETTLE_S = 15.0


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _book(api: ApiClient, token: str, room: str, start: datetime, minutes: int) -> str:
    body = {
        "resource_id": room,
        "start_time": _iso(start),
        "end_time": _iso(start + timedelta(minutes=minutes)),
    }
    return str(api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"])


def _until(check: Any, what: str) -> Any:
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {SETTLE_S} s: {what}")


def test_a_missed_check_in_is_released_and_a_linked_check_in_is_kept(
    api: ApiClient, admin_api_token: str
) -> None:
    admin = admin_api_token
    room = api.create_resource(admin, unique("Desk"))["resource_id"]
    policy = {"required": True, "opens_before_minutes": 30, "closes_after_minutes": 0}
    api.call("PUT", f"/api/v1/resources/{room}/check-in", admin, json=policy)
    names = [unique("late"), unique("punctual"), unique("next")]
    for name in names:
        api.register(name)
    late, punctual, later = (api.login(n, USER_PASSWORD) for n in names)

    # Both book slots starting in a few seconds; check-in closes at the start
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    missed = _book(api, late, room, start, 15)
    kept = _book(api, punctual, room, start + timedelta(minutes=20), 20)
    link = api.call("GET", f"/api/v1/reservations/{kept}/check-in", punctual)["check_in_path"]
    page = httpx.get(f"{api.http.base_url}{link}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Check in</button>" in page.text  # a GET never acts
    confirmed = httpx.post(f"{api.http.base_url}{link}")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "checked_in"

    # When the window has closed and the job runs (it runs every minute; now by hand)
    time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 0.5)
    run = api.call("POST", "/api/v1/admin/jobs/release-no-shows/run", admin)
    # 1, or 0 when the stack's own minutely run got there in the same half second
    assert run["result"]["released"] in (0, 1), run

    # Then the missed one is a no-show, counted, and its slot is free again
    assert api.call("GET", f"/api/v1/reservations/{missed}", late)["status"] == "no_show"
    assert api.call("GET", f"/api/v1/reservations/{kept}", punctual)["status"] == "checked_in"
    assert api.call("GET", "/api/v1/users/me/no-shows", late)["total"] == 1
    _book(api, later, room, datetime.now(UTC) + timedelta(seconds=2), 15)
    # And its owner is told, through the event pipeline
    kinds = lambda: [  # noqa: E731
        n["kind"] for n in api.call("GET", "/api/v1/notifications", late)["items"]
    ]
    _until(lambda: "reservation.no_show" in kinds(), "the no-show notification")
