"""`rr checkin ...` against a real HTTP API: the admin's setting, checking in, the link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.integration.cli_helpers import admin, new_user, unique


def test_set_the_setting_check_in_and_see_the_state(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    room = unique("Desk ")
    boss.ok("resources", "create", room)
    alice, _ = new_user(cli_api, tmp_path)
    # An ordinary user may not change the setting; bad values are refused in words
    assert "HTTP 403" in alice.fails("checkin", "set-policy", room, "--required").stderr
    bad = boss.fails("checkin", "set-policy", room, "--required", "--closes-after", "300")
    assert "closes_after_minutes" in bad.stderr
    policy = boss.json("checkin", "set-policy", room, "--required", "--strikes", "3")
    assert policy == {
        "required": True,
        "opens_before_minutes": 15,
        "closes_after_minutes": 15,
        "no_show_strikes": 3,
    }
    assert alice.json("checkin", "policy", room) == policy
    # A booking starting in five minutes is inside its check-in window
    start = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%MZ")
    booked = alice.json("reserve", room, start, "-d", "30m")
    reservation = booked["reservation_id"]
    shown = alice.json("checkin", "show", reservation)
    assert shown["required"] and not shown["checked_in"]
    assert shown["check_in_url"].startswith(f"{cli_api.rstrip('/')}/api/v1/checkin/")
    table = alice.ok("checkin", "show", reservation).stdout
    assert "check-in link" in table and "window closes" in table
    # The link answers without signing in, and a GET does not check in
    link = httpx.get(shown["check_in_url"])
    assert link.status_code == 200 and link.json()["checked_in"] is False
    assert "Checked in to" in alice.ok("checkin", "now", reservation).stdout
    assert alice.json("checkin", "now", reservation)["status"] == "checked_in"
    # Someone else's booking is not found; no-shows are listed (none yet)
    bob, _ = new_user(cli_api, tmp_path)
    assert "reservation_not_found" in bob.fails("checkin", "now", reservation).stderr
    assert alice.json("checkin", "no-shows") == {"total": 0, "by_resource": []}
    assert boss.json("checkin", "no-shows", "-r", room)["total"] == 0
