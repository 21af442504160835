"""`rr resources slots` and `rr resources next` against a real HTTP API.

The API process runs on the real clock, so the day looked at lies a few days ahead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import Rr, admin, new_user, unique

PARIS = ZoneInfo("Europe/Paris")


def room_booked_at_ten(cli_api: str, tmp_path: Path, *extra: str) -> tuple[Rr, str, str]:
    """A user, a Paris room booked 10:00-11:00 (Paris) in five days, that day."""
    boss = admin(cli_api, tmp_path)
    rr, _ = new_user(cli_api, tmp_path)
    room = unique("Slot room ")
    boss.ok("resources", "create", room, "--timezone", "Europe/Paris", *extra)
    day = (datetime.now(PARIS) + timedelta(days=5)).date().isoformat()
    rr.ok("reserve", room, f"{day} 10:00", "-d", "1h")
    return rr, room, day


def test_free_slots_of_a_day_leave_out_the_booking(cli_api: str, tmp_path: Path) -> None:
    # Given a room booked from 10:00 to 11:00
    rr, room, day = room_booked_at_ten(cli_api, tmp_path)
    # When a user asks for its free hour slots that day
    found = rr.json("resources", "slots", room, "--date", day, "--slot", "1h")
    # Then no slot overlaps the booking, and the slots are one hour long
    starts = [s["local_start"][11:16] for s in found["slots"]]
    assert "10:00" not in starts and "09:00" in starts and "11:00" in starts
    assert found["slot_minutes"] == 60 and found["timezone"] == "Europe/Paris"
    # And people see a table in their zone, here New York's, with the room's clock beside it
    table = rr.ok("resources", "slots", room, "--date", day, "--tz", "America/New_York").stdout
    assert "times in America/New_York" in table and "11:00-" in table
    assert f"Free on {day} (Europe/Paris)" in table


def test_next_free_window_after_a_time(cli_api: str, tmp_path: Path) -> None:
    # Given a room booked from 10:00 to 11:00
    rr, room, day = room_booked_at_ten(cli_api, tmp_path)
    # When a user asks for the next free 90 minutes from 09:30
    found = rr.json("resources", "next", room, "-d", "1h30m", "--after", f"{day} 09:30")
    # Then it starts when the booking ends
    assert found["slot"]["local_start"] == f"{day}T11:00+01:00"
    assert found["duration_minutes"] == 90
    shown = rr.ok("resources", "next", room, "-d", "30m", "--after", f"{day} 10:15").stdout
    assert "Next free 30m" in shown and "11:00-11:30" in shown


def test_refusals_are_shown_in_words(cli_api: str, tmp_path: Path) -> None:
    # Given a room that takes at most one hour
    rr, room, day = room_booked_at_ten(cli_api, tmp_path, "--max-duration", "60")
    # A longer window is the API's 422, in words
    refused = rr.fails("resources", "next", room, "-d", "2h")
    assert "duration_too_long, HTTP 422" in refused.stderr and refused.stdout == ""
    # So is a slot length outside the limits
    assert "HTTP 422" in rr.fails("resources", "slots", room, "--date", day, "--slot", "3h").stderr
    # And local mistakes are caught before any request
    assert (
        "not a whole number of minutes" in rr.fails("resources", "next", room, "-d", "90s").stderr
    )
    assert "no resource with id or name" in rr.fails("resources", "slots", unique("Nope ")).stderr
