"""`rr audit` against a real HTTP API: my activity, admin queries and entity history, one
entry in full, exports to CSV and JSON files, and refusals in words.

The test server lets the pipeline (stream -> audit worker) catch up before audit reads.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import Rr, admin, new_user, unique


def booked_and_cancelled(cli_pipeline_api: str, tmp_path: Path) -> tuple[Rr, Rr, str, str]:
    """An admin, a user who booked and cancelled one reservation, its id, their name."""
    boss = admin(cli_pipeline_api, tmp_path)
    rr, name = new_user(cli_pipeline_api, tmp_path)
    room = unique("Audit room ")
    boss.ok("resources", "create", room, "--timezone", "Europe/Paris")
    day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=4)).date().isoformat()
    booked = rr.json("reserve", room, f"{day} 14:00", "-d", "1h")
    rr.ok("reservations", "cancel", booked["reservation_id"], "--reason", "plans changed", "--yes")
    return boss, rr, str(booked["reservation_id"]), name


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def actions(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["entity_type"], e["action"]) for e in entries]


def test_my_activity_and_the_admins_views(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given a user who booked and then cancelled through the CLI
    boss, rr, reservation_id, name = booked_and_cancelled(cli_pipeline_api, tmp_path)
    # When they look at their own activity, Then both steps are there, newest first, via cli
    mine = [e for e in rr.json("audit", "my-activity") if e["entity_type"] == "reservation"]
    assert actions(mine) == [("reservation", "cancelled"), ("reservation", "created")]
    assert {e["channel"] for e in mine} == {"cli"}
    only = rr.json("audit", "my-activity", "--action", "cancelled")
    assert [e["entity_id"] for e in only] == [reservation_id]
    assert "cancelled" in rr.ok("audit", "my-activity").stdout
    # When the admin reads the reservation's history and the user's activity
    history = boss.json("audit", "entity", "reservation", reservation_id)
    assert actions(history) == [("reservation", "cancelled"), ("reservation", "created")]
    by_user = boss.json("audit", "query", "--actor", name, "--entity-type", "reservation")
    assert [e["entry_id"] for e in by_user] == [e["entry_id"] for e in history]
    assert len(boss.json("audit", "user", name, "--action", "created")) >= 1
    # Then one entry shows in full, with what changed
    shown = boss.ok("audit", "show", history[0]["entry_id"]).stdout
    assert reservation_id in shown and "plans changed" in shown and "times in Europe/Paris" in shown


def test_export_to_csv_and_json_files(cli_pipeline_api: str, tmp_path: Path) -> None:
    # Given a reservation's two audit entries
    boss, _, reservation_id, _ = booked_and_cancelled(cli_pipeline_api, tmp_path)
    where = ["--entity-type", "reservation", "--entity-id", reservation_id]
    # When the admin exports them to CSV
    target = tmp_path / "audit.csv"
    said = boss.ok("audit", "export", str(target), *where)
    # Then the file holds both rows, and the command says how many
    rows = csv_rows(target)
    assert [r["action"] for r in rows] == ["cancelled", "created"]
    assert f"Wrote 2 audit entries to {target}" in said.stdout
    # When they export to JSON for a script, Then the summary is JSON too
    as_json = tmp_path / "audit.json"
    summary = boss.json("audit", "export", str(as_json), *where)
    assert (summary["entries"], summary["format"]) == (2, "json")
    assert [e["action"] for e in json.loads(as_json.read_text())] == ["cancelled", "created"]
    # And an existing file is kept unless --force
    refused = boss.fails("audit", "export", str(target), *where)
    assert "exists: use --force" in refused.stderr
    boss.ok("audit", "export", str(target), "--force", "--action", "created", *where)
    assert len(csv_rows(target)) == 1


def test_refusals_are_shown_in_words_and_leave_no_file(
    cli_pipeline_api: str, tmp_path: Path
) -> None:
    rr, _ = new_user(cli_pipeline_api, tmp_path)
    # A user may not query everyone's entries
    refused = rr.fails("audit", "query")
    assert "HTTP 403" in refused.stderr and refused.stdout == ""
    # Nor export them: and no file (not even a partial one) is left behind
    target = tmp_path / "out" / "audit.csv"
    target.parent.mkdir()
    assert "HTTP 403" in rr.fails("audit", "export", str(target)).stderr
    assert list(target.parent.iterdir()) == []
    # A window that ends before it starts is the API's 422, in words
    bad = rr.fails("audit", "my-activity", "--since", "tomorrow 10:00", "--until", "today 10:00")
    assert "invalid_range, HTTP 422" in bad.stderr
    # Local checks come first
    assert (
        "--entity-id needs --entity-type" in rr.fails("audit", "query", "--entity-id", "x").stderr
    )
    assert "--format must be csv or json" in rr.fails("audit", "export", "a.xml").stderr
