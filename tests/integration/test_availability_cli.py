"""`rr resources search --from --until` against a real HTTP API: the free-window filter.

The API process lives for the whole session and runs on the real clock, so the rooms carry a
tag of their own and the window lies two days ahead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import admin, new_user, unique

PARIS = ZoneInfo("Europe/Paris")


def test_search_keeps_only_the_rooms_free_for_the_whole_window(
    cli_api: str, tmp_path: Path
) -> None:
    # Given two rooms with a fresh tag, one of them booked 10:00-11:00 (Paris) in two days
    boss = admin(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    tag = unique("t")
    free, busy = unique("Free "), unique("Busy ")
    for name in (free, busy):
        boss.ok("resources", "create", name, "--tag", tag, "--timezone", "Europe/Paris")
    day = (datetime.now(PARIS) + timedelta(days=2)).date().isoformat()
    alice.ok("reserve", busy, f"{day} 10:30", "-d", "1h")
    # When alice searches for rooms with that tag free from 10:00 to 11:00
    found = alice.json(
        "resources", "search", "--tag", tag, "--from", f"{day} 10:00", "--until", f"{day} 11:00"
    )
    # Then only the free room is listed, while without the window both are
    assert [room["name"] for room in found] == [free]
    assert len(alice.json("resources", "search", "--tag", tag)) == 2
