"""`rr approvals` against a real HTTP API: an admin sets a two-step chain, the approvers
decide from their queues, the requester follows her request (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.integration.cli_helpers import admin, new_user, unique


def test_a_two_step_chain_from_the_command_line(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    room = unique("Lab ")
    boss.ok("resources", "create", room)
    alice, _ = new_user(cli_api, tmp_path)
    manager, manager_name = new_user(cli_api, tmp_path)
    officer, officer_name = new_user(cli_api, tmp_path)
    # Given the admin sets manager then officer (by username) on the lab
    chain = boss.json(
        "approvals", "chain", "set", room, "--step", manager_name, "--step", officer_name,
        "--expiry-hours", "48",
    )  # fmt: skip
    assert chain["requires_approval"] is True and len(chain["effective_steps"]) == 2
    assert boss.json("approvals", "chain", "show", room)["expiry_hours"] == 48
    assert "admin_required" in alice.fails("approvals", "chain", "show", room).stderr
    # When alice books it, her request waits for the manager
    start = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT10:00:00Z")
    booked = alice.json("reservations", "create", "-r", room, "-s", start, "-d", "1h")
    rid = booked["reservation_id"]
    assert booked["status"] == "pending_approval"
    assert [r["reservation_id"] for r in manager.json("approvals", "pending")] == [rid]
    assert officer.json("approvals", "pending") == []
    assert "not_an_approver" in officer.fails("approvals", "approve", rid).stderr
    # Then the manager's approval passes it to the officer, whose approval confirms it
    assert manager.json("approvals", "approve", rid, "-m", "fine")["step"] == 1
    done = officer.json("approvals", "approve", rid)
    assert done["status"] == "approved"
    [mine] = alice.json("approvals", "mine")
    assert mine["status"] == "approved" and len(mine["decisions"]) == 2
    assert "approved" in alice.ok("approvals", "mine").stdout
    # And a rejection ends the next request at once
    start2 = (datetime.now(UTC) + timedelta(days=4)).strftime("%Y-%m-%dT10:00:00Z")
    second = alice.json("reservations", "create", "-r", room, "-s", start2, "-d", "1h")
    refused = manager.json("approvals", "reject", second["reservation_id"], "-m", "no")
    assert refused["status"] == "rejected"


def test_a_whole_series_is_approved_in_one_command(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    room = unique("Lab ")
    boss.ok("resources", "create", room)
    alice, _ = new_user(cli_api, tmp_path)
    manager, manager_name = new_user(cli_api, tmp_path)
    boss.json("approvals", "chain", "set", room, "--step", manager_name)
    start = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 10:00")
    series = alice.json(
        "reservations",
        "recurring",
        "-r",
        room,
        "-s",
        start,
        "-d",
        "1h",
        "--every",
        "day",
        "--count",
        "3",
    )
    sid = series["series_id"]
    assert "give a request id or --series" in manager.fails("approvals", "approve").stderr
    decided = manager.json("approvals", "approve", "--series", sid, "-m", "all fine")
    assert [d["status"] for d in decided["decided"]] == ["approved"] * 3
    assert decided["refused"] == []
    assert "approval_not_pending" in manager.fails("approvals", "reject", "--series", sid).stderr
