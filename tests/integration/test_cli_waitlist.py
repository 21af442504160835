"""`rr waitlist ...` against a real HTTP API (zone: Paris): join (exact and flexible), list,
show, leave; accept and decline without an offer are refused with the API's reason. The
offer flows themselves run through the worker pipeline in tests/e2e/test_waitlist_flow.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import admin, new_user, unique

PARIS = ZoneInfo("Europe/Paris")


def test_join_list_show_leave_and_refusals(cli_api: str, tmp_path: Path) -> None:
    room = unique("Room ")
    admin(cli_api, tmp_path).ok("resources", "create", room, "--timezone", "Europe/Paris")
    alice, _ = new_user(cli_api, tmp_path)
    bob, _ = new_user(cli_api, tmp_path)
    day = (datetime.now(PARIS) + timedelta(days=3)).date()
    alice.ok("reserve", room, f"{day} 10:00", "--duration", "2h")
    # When bob joins for the taken 10:00-11:00
    exact = bob.json("waitlist", "join", "-r", room, "-s", f"{day} 10:00", "-d", "1h")
    assert exact["status"] == "waiting" and exact["position"] == 1
    # Then a second overlapping wish is refused, and a free slot says "book it now"
    twice = bob.fails("waitlist", "join", "-r", room, "-s", f"{day} 10:30", "-d", "30m")
    assert "already_waiting" in twice.stderr
    free = bob.fails("waitlist", "join", "-r", room, "-s", f"{day} 15:00", "-d", "1h")
    assert "slot_available" in free.stderr and "book it now" in free.stderr
    flexible = bob.json(
        "waitlist", "join", "-r", room, "-s", f"{day} 11:00", "-e", f"{day} 12:00",
        "--flexible", "30m",
    )  # fmt: skip
    assert flexible["duration_minutes"] == 30
    # And both are listed, shown (table in Paris time), and left
    listed = bob.json("waitlist", "list")
    assert {e["entry_id"] for e in listed} == {exact["entry_id"], flexible["entry_id"]}
    table = bob.ok("waitlist", "show", exact["entry_id"]).stdout
    assert f"{day} 10:00" in table and "waiting" in table
    assert "no_offer" in bob.fails("waitlist", "accept", exact["entry_id"]).stderr
    assert "no_offer" in bob.fails("waitlist", "decline", exact["entry_id"]).stderr
    assert bob.json("waitlist", "leave", exact["entry_id"])["status"] == "left"
    assert (
        "waitlist_entry_not_found" in alice.fails("waitlist", "show", flexible["entry_id"]).stderr
    )
