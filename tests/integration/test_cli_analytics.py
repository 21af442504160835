"""`rr analytics` against a real HTTP API (the pipeline catches up before analytics reads):
the dashboard, utilisation, peaks, popular resources, exports to a file, and a user who
sees only their own figures."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.integration.cli_helpers import admin, new_user, unique


def test_analytics_commands_show_and_export_the_figures(
    cli_pipeline_api: str, tmp_path: Path
) -> None:
    # Given a room booked for an hour by a user, and another user who booked nothing
    boss = admin(cli_pipeline_api, tmp_path)
    rr, _ = new_user(cli_pipeline_api, tmp_path)
    idle, _ = new_user(cli_pipeline_api, tmp_path)
    room = unique("Stats room ")
    boss.ok("resources", "create", room, "--timezone", "UTC")
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    rr.json("reserve", room, f"{day.isoformat()} 10:00", "-d", "1h")
    window = ("--from", day.isoformat(), "--to", day.isoformat())
    # When the booker reads their dashboard, Then it counts their hour
    mine = rr.json("analytics", "dashboard", *window)
    assert mine["scope"] == "mine" and mine["booked_hours"] == 1.0
    # And the other user sees none of it
    assert idle.json("analytics", "dashboard", *window)["reservations"] == 0
    assert idle.json("analytics", "popular", *window) == []
    # When the admin asks for utilisation, peaks and popular resources
    rows = boss.json("analytics", "utilisation", *window)
    assert [r["booked_hours"] for r in rows if r["name"] == room] == [1.0]
    peaks = boss.json("analytics", "peaks", *window)
    assert sum(map(sum, peaks["matrix"])) >= 1.0
    assert "Booked hours by weekday" in boss.ok("analytics", "peaks", *window).stdout
    assert room in boss.ok("analytics", "popular", *window).stdout
    # When they export, Then the file holds the rows
    target = tmp_path / "util.csv"
    summary = boss.json("analytics", "export", "utilisation", str(target), *window)
    assert summary["rows"] >= 1
    names = [r["name"] for r in csv.DictReader(target.read_text().splitlines())]
    assert room in names
    mine_csv = tmp_path / "mine.csv"
    rr.ok("analytics", "export", "reservations", str(mine_csv), *window)
    assert len(mine_csv.read_text().strip().splitlines()) == 2
    refused = rr.fails("analytics", "export", "everything", str(tmp_path / "x.csv"))
    assert "utilisation or reservations" in refused.stdout + refused.stderr
