"""`rr reserve`, `rr upcoming`, `rr reservations ...` against a real HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import Rr, admin, new_user, unique

PARIS = ZoneInfo("Europe/Paris")


def tomorrow_paris(hour: int) -> datetime:
    day = datetime.now(PARIS).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def make_room(cli_api: str, tmp_path: Path, *extra: str) -> str:
    name = unique("Room ")
    admin(cli_api, tmp_path).ok("resources", "create", name, "--timezone", "Europe/Paris", *extra)
    return name


def test_reserve_conflict_list_cancel(cli_api: str, tmp_path: Path) -> None:
    # Given a room, and two users whose zone is Paris (RR_TZ in the helper)
    room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    bob, _ = new_user(cli_api, tmp_path)
    day = tomorrow_paris(10).date().isoformat()
    # When alice books 10:00-11:00 typed without an offset
    booked = alice.json("reserve", room, f"{day} 10:00", "--duration", "1h", "--notes", "standup")
    # Then it was read as Paris time and stored in UTC
    assert booked["start_time"] == z(tomorrow_paris(10))
    assert booked["end_time"] == z(tomorrow_paris(11))
    assert booked["status"] == "active"
    # When bob asks for an overlapping slot
    clash = bob.fails("reservations", "create", "-r", room, "-s", f"{day} 10:30", "-d", "1h")
    # Then he gets the conflict, with the taken window in his zone and no one's private data
    assert "reservation_conflict" in clash.stderr and "HTTP 409" in clash.stderr
    assert f"conflicts with {day} 10:00 -> {day} 11:00 Europe/Paris" in clash.stderr
    assert booked["reservation_id"] not in clash.stderr
    # When bob books the adjacent hour, Then it works
    bob.ok("reserve", room, f"{day} 11:00", f"{day} 12:00")
    # And alice sees her booking in her lists, in her zone
    mine = alice.json("reservations", "list")
    assert [r["reservation_id"] for r in mine] == [booked["reservation_id"]]
    table = alice.ok("upcoming").stdout
    assert f"{day} 10:00" in table and "times in Europe/Paris" in table
    # When alice cancels (confirming), Then the slot is free for bob
    alice.ok("reservations", "cancel", booked["reservation_id"], "--reason", "moved", input="y\n")
    assert alice.json("reservations", "list") == []
    cancelled = alice.json("reservations", "list", "--status", "cancelled")
    assert cancelled[0]["cancellation_reason"] == "moved"
    bob.ok("reserve", room, f"{day} 10:00", "--duration", "1h")
    again = alice.fails("reservations", "cancel", booked["reservation_id"], "--yes")
    assert "already_cancelled" in again.stderr


def test_an_idempotency_key_never_books_twice(cli_api: str, tmp_path: Path) -> None:
    room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    day = tomorrow_paris(14).date().isoformat()
    args = (
        "reservations",
        "create",
        "-r",
        room,
        "-s",
        f"{day} 14:00",
        "-e",
        f"{day} 15:00",
        "--idempotency-key",
        unique("key-"),
    )
    # When the same command is run twice with the same key
    first = alice.json(*args)
    second = alice.json(*args)
    # Then the second returns the first reservation, and only one exists
    assert first["reservation_id"] == second["reservation_id"]
    assert len(alice.json("reservations", "list", "-r", room)) == 1


def test_explicit_zone_and_offsets(cli_api: str, tmp_path: Path) -> None:
    room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    day = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    # When a time is typed for Tokyo, Then it is 9 hours ahead of UTC
    tokyo = alice.json("reserve", room, f"{day} 18:00", "--tz", "Asia/Tokyo")
    assert tokyo["start_time"] == f"{day}T09:00:00.000Z"
    # When a time carries its own offset, Then the zone option does not matter
    offset = alice.json("reserve", room, f"{day}T12:00:00-02:00", "--duration", "30m")
    assert offset["start_time"] == f"{day}T14:00:00.000Z"
    # And the table renders in the zone asked for
    assert f"{day} 18:00" in alice.ok("--tz", "Asia/Tokyo", "reservations", "list").stdout


def test_get_history_reschedule(cli_api: str, tmp_path: Path) -> None:
    room = make_room(cli_api, tmp_path)
    other_room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    bob, _ = new_user(cli_api, tmp_path)
    day = tomorrow_paris(9).date().isoformat()
    booked = alice.json("reserve", room, f"{day} 09:00", "-d", "2h")
    rid = booked["reservation_id"]
    # When alice moves it by 30 minutes (overlapping its own old window) and to another room
    moved = alice.json(
        "reservations", "reschedule", rid, "-s", f"{day} 09:30", "-d", "2h", "-r", other_room
    )
    # Then the new window and room are stored, and the history tells the story
    assert moved["start_time"] == z(tomorrow_paris(9) + timedelta(minutes=30))
    assert moved["resource_id"] == alice.json("resources", "get", other_room)["resource_id"]
    actions = [entry["action"] for entry in alice.json("reservations", "history", rid)]
    assert actions[0] == "created" and "rescheduled" in actions
    assert "rescheduled" in alice.ok("reservations", "history", rid).stdout
    assert alice.json("reservations", "get", rid)["status"] == "active"
    # And bob may not read or touch it
    assert bob.fails("reservations", "get", rid).exit_code == 1
    assert bob.fails("reservations", "cancel", rid, "--yes").exit_code == 1


def test_admin_lists_everyone_and_sees_the_schedule(cli_api: str, tmp_path: Path) -> None:
    room = make_room(cli_api, tmp_path)
    boss = admin(cli_api, tmp_path)
    alice, alice_name = new_user(cli_api, tmp_path)
    bob, _ = new_user(cli_api, tmp_path)
    day = tomorrow_paris(16).date().isoformat()
    booked = alice.json("reserve", room, f"{day} 16:00")
    # When an admin lists one user's reservations (by username)
    listed = boss.json("reservations", "list", "--user", alice_name)
    assert [r["reservation_id"] for r in listed] == [booked["reservation_id"]]
    assert booked["reservation_id"] in [
        r["reservation_id"] for r in boss.json("reservations", "list", "--everyone", "-r", room)
    ]
    # When bob looks at the room's schedule, Then he sees a busy block without alice's details
    blocks = bob.json(
        "resources", "schedule", room, "--from", f"{day} 00:00", "--to", f"{day} 23:59"
    )
    assert [(b["start_time"], b["mine"]) for b in blocks] == [(booked["start_time"], False)]
    assert blocks[0].get("user_id") is None and blocks[0].get("reservation_id") is None
    # And a user cannot list everyone's
    assert "HTTP 403" in bob.fails("reservations", "list", "--everyone").stderr


def test_input_errors_are_caught_before_any_request(cli_api: str, tmp_path: Path) -> None:
    rr = Rr(cli_api, tmp_path)  # not even signed in: these never reach the API
    both = rr.fails("reservations", "create", "-r", "x", "-s", "now", "-e", "now", "-d", "1h")
    assert "exactly one of --end and --duration" in both.stderr
    assert "cannot read 'someday'" in rr.fails("reserve", "x", "someday").stderr
    assert "duration" in rr.fails("reserve", "x", "tomorrow 10:00", "-d", "ten").stderr
    backwards = rr.fails("reserve", "x", "2030-01-01 10:00", "2030-01-01 09:00")
    assert "end must be after the start" in backwards.stderr
    assert "unknown time zone" in rr.fails("reserve", "x", "now", "--tz", "Nowhere/Land").stderr


def test_reserving_an_unknown_resource_is_a_clear_error(cli_api: str, tmp_path: Path) -> None:
    alice, _ = new_user(cli_api, tmp_path)
    result = alice.fails("reserve", unique("Ghost "), "tomorrow 10:00")
    assert "no resource with id or name" in result.stderr
