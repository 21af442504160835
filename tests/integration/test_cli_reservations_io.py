"""`rr reservations import FILE [--dry-run]` and `rr reservations export` over HTTP (issue 14)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.integration.cli_helpers import admin, new_user
from tests.integration.test_cli_reservations import make_room, tomorrow_paris


def test_import_dry_run_then_import_then_export_in_pages(cli_api: str, tmp_path: Path) -> None:
    # Given a room and a CSV of three windows in Paris time (one with a formula in its title)
    room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    day = tomorrow_paris(9).date().isoformat()
    good = tmp_path / "good.csv"
    good.write_text(
        "resource,start,end,timezone,title\n"
        f"{room},{day}T09:00,{day}T10:00,Europe/Paris,=1+1\n"
        f"{room},{day}T10:00,{day}T11:00,Europe/Paris,\n"
        f"{room},{day}T11:00,{day}T12:00,Europe/Paris,\n"
    )
    # When alice dry-runs it, Then three rows would be booked and nothing is
    dry = alice.json("reservations", "import", str(good), "--dry-run")
    assert dry["dry_run"] and dry["ok"] and len(dry["rows"]) == 3
    assert alice.json("reservations", "list") == []
    # When a file with a bad row is imported, Then it fails naming the row; nothing is booked
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text() + f"{room},{day}T12:00,noon,Europe/Paris,\n")
    refused = alice.fails("reservations", "import", str(bad))
    assert "import_rejected" in refused.stderr and "end" in refused.stdout
    assert alice.json("reservations", "list") == []
    # When the good file is imported, Then three reservations exist
    done = alice.json("reservations", "import", str(good))
    assert done["imported"] == 3
    assert len(alice.json("reservations", "list")) == 3
    # When she exports with pages of two rows, Then the file holds her three, formula-safe
    target = tmp_path / "mine.csv"
    summary = alice.json("reservations", "export", "-o", str(target), "--page-size", "2")
    assert summary["rows"] == 3 and summary["pages"] == 2
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 3 and rows[0]["notes"] == "'=1+1"
    # And the JSON export is one array; an admin's covers everyone (at least hers)
    as_json = tmp_path / "all.json"
    admin(cli_api, tmp_path).ok("reservations", "export", "-f", "json", "-o", str(as_json))
    ids = {r["reservation_id"] for r in json.loads(as_json.read_text())}
    assert {r["reservation_id"] for r in done["rows"]} <= ids
