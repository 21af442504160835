"""`rr admin audit stats|filters` and `rr reservations search` against a real HTTP API
(audit14): the counts include what was just done, a user searching someone else is refused
in words, an admin finds anyone's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import admin, new_user, unique


def test_admin_audit_stats_and_filters(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given a user who booked and cancelled (the server lets the audit worker catch up)
    boss = admin(cli_pipeline_api, tmp_path)
    rr, _ = new_user(cli_pipeline_api, tmp_path)
    me = rr.json("users", "me")["id"]
    room = unique("Stats room ")
    boss.ok("resources", "create", room, "--timezone", "Europe/Paris")
    day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=4)).date().isoformat()
    booked = rr.json("reserve", room, f"{day} 14:00", "-d", "1h")
    rr.ok("reservations", "cancel", booked["reservation_id"], "--reason", "no", "--yes")
    rr.json("audit", "my-activity")  # waits for the pipeline
    # When the admin asks for today's statistics
    today = datetime.now(UTC).date().isoformat()
    stats = boss.json("admin", "audit", "stats", "--from", today, "--to", today)
    # Then the user's two reservation changes are counted
    by_actor = {row["value"]: row["count"] for row in stats["by_actor"]}
    assert by_actor.get(me, 0) >= 2
    assert stats["total"] >= 2 and stats["from"] == today
    assert "By action" in boss.ok("admin", "audit", "stats").stdout
    # And the filter values name the action and the actor
    values = boss.json("admin", "audit", "filters")
    assert "cancelled" in {v["value"] for v in values["actions"]}
    assert me in {v["value"] for v in values["actors"]}
    # A user is refused, a bad range explained
    assert "admin" in rr.fails("admin", "audit", "stats").stderr.lower()
    wide = boss.fails("admin", "audit", "stats", "--from", "2026-01-01", "--to", "2026-12-01")
    assert "92 days" in wide.stderr


def test_reservations_search(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given two users with one booking each on the same room
    boss = admin(cli_pipeline_api, tmp_path)
    ann, ann_name = new_user(cli_pipeline_api, tmp_path)
    ben, _ = new_user(cli_pipeline_api, tmp_path)
    ben_id = ben.json("users", "me")["id"]
    room = unique("Search room ")
    boss.ok("resources", "create", room, "--timezone", "Europe/Paris")
    day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=5)).date().isoformat()
    hers = ann.json("reserve", room, f"{day} 09:00", "-d", "1h")["reservation_id"]
    his = ben.json("reserve", room, f"{day} 11:00", "-d", "1h")["reservation_id"]
    # When each searches the room, Then each sees only their own
    assert [r["reservation_id"] for r in ann.json("reservations", "search", "-r", room)] == [hers]
    assert [r["reservation_id"] for r in ben.json("reservations", "search", "-r", room)] == [his]
    # A user naming someone else is refused in words
    refused = ann.fails("reservations", "search", "--user", ben_id)
    assert "your own" in refused.stderr
    # An admin finds both, or one user's
    found = boss.json("reservations", "search", "-r", room)
    assert {r["reservation_id"] for r in found} == {hers, his}
    only = boss.json("reservations", "search", "-r", room, "--user", ann_name)
    assert [r["reservation_id"] for r in only] == [hers]
    assert room in boss.ok("reservations", "search", "-r", room).stdout
