"""`rr notifications` against a real HTTP API: list, read one, read all, and a refused id.

The test server lets the event pipeline catch up before a notification read (cli_server.py),
so a booking's notice is there when the CLI asks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import Rr, admin, new_user, unique


def booked_twice(cli_pipeline_api: str, tmp_path: Path) -> Rr:
    """A fresh user with two bookings (two notifications waiting)."""
    boss = admin(cli_pipeline_api, tmp_path)
    rr, _ = new_user(cli_pipeline_api, tmp_path)
    room = unique("Note room ")
    boss.ok("resources", "create", room, "--timezone", "Europe/Paris")
    day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=3)).date().isoformat()
    rr.ok("reserve", room, f"{day} 09:00", "-d", "1h")
    rr.ok("reserve", room, f"{day} 11:00", "-d", "1h")
    return rr


def test_list_read_one_then_read_all(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given a user whose two bookings each left a notification
    rr = booked_twice(cli_pipeline_api, tmp_path)
    # When they list their notifications
    page = rr.json("notifications", "list")
    # Then both are there, unread, newest first, with the unread count of all
    assert page["unread_count"] == 2
    assert [n["kind"] for n in page["items"]] == ["reservation.created"] * 2
    assert not any(n["read"] for n in page["items"])
    table = rr.ok("notifications", "list").stdout
    assert "Notifications (2 unread)" in table and "reservation.created" in table
    # When they read the newest one
    first = page["items"][0]["notification_id"]
    assert rr.json("notifications", "read", first)["read"] is True
    assert f"Notification {first} marked read." in rr.ok("notifications", "read", first).stdout
    # Then only the other one is left unread
    unread = rr.json("notifications", "list", "--unread")
    assert [n["notification_id"] for n in unread["items"]] == [page["items"][1]["notification_id"]]
    # When they read all, Then one is marked and nothing is left
    assert "1 notification(s) marked read." in rr.ok("notifications", "read-all").stdout
    assert rr.json("notifications", "read-all") == {"marked": 0, "unread_count": 0}
    assert "no notifications unread" in rr.ok("notifications", "list", "--unread").stdout


def test_someone_elses_notification_is_a_clear_404(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given a notification of one user
    owner = booked_twice(cli_pipeline_api, tmp_path)
    theirs = owner.json("notifications", "list", "--limit", "1")["items"][0]["notification_id"]
    # When another user marks it read
    other, _ = new_user(cli_pipeline_api, tmp_path)
    refused = other.fails("notifications", "read", theirs)
    # Then the API's refusal is shown in words, with its code, and nothing on stdout
    assert "HTTP 404" in refused.stderr and "error:" in refused.stderr
    assert refused.stdout == ""
    assert owner.json("notifications", "list")["unread_count"] == 2
