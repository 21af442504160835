"""`rr reservations bulk FILE [--dry-run]` and `rr reservations bulk-cancel ID...` over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.cli_helpers import new_user
from tests.integration.test_cli_reservations import make_room, tomorrow_paris, z


def test_bulk_book_from_csv_and_json_then_bulk_cancel(cli_api: str, tmp_path: Path) -> None:
    # Given a room named in a CSV of two windows typed in Paris time, and bob holding a third
    room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    bob, _ = new_user(cli_api, tmp_path)
    day = tomorrow_paris(9).date().isoformat()
    csv_file = tmp_path / "book.csv"
    rows = [f"{room},{day} 09:00,{day} 10:00,a", f"{room},{day} 11:00,{day} 12:00,"]
    csv_file.write_text("\n".join(["resource,start,end,notes", *rows]) + "\n")
    bob.ok("reserve", room, f"{day} 13:00", "--duration", "1h")
    # When alice dry-runs it, Then both items are ok and nothing is booked
    dry = alice.json("reservations", "bulk", str(csv_file), "--dry-run")
    assert dry["dry_run"] is True and [i["ok"] for i in dry["items"]] == [True, True]
    assert alice.json("reservations", "list") == []
    # When she books it, Then both reservations exist, in Paris time
    booked = alice.json("reservations", "bulk", str(csv_file))
    starts = [r["start_time"] for r in booked["reservations"]]
    assert starts == [z(tomorrow_paris(9)), z(tomorrow_paris(11))]
    # When a JSON file includes bob's slot, Then nothing of it is booked and the item is named
    json_file = tmp_path / "book.json"
    items = [
        {"resource": room, "start": f"{day} 15:00", "end": f"{day} 16:00"},
        {"resource": room, "start": f"{day} 13:30", "end": f"{day} 14:00"},
    ]
    json_file.write_text(json.dumps({"items": items}))
    refused = alice.fails("reservations", "bulk", str(json_file))
    assert "item 1: reservation_conflict" in refused.stderr
    assert "Plan B (book one with" in refused.stdout + refused.stderr  # issue 13
    assert len(alice.json("reservations", "list")) == 2
    # When she bulk-cancels her two and an unknown id, Then each is reported
    ids = [r["reservation_id"] for r in booked["reservations"]]
    answer = alice.json("reservations", "bulk-cancel", *ids, "01UNKNOWN", "--yes")
    assert answer["cancelled"] == 2
    assert [r["outcome"] for r in answer["results"]] == ["cancelled", "cancelled", "not_found"]
    assert alice.json("reservations", "list") == []
