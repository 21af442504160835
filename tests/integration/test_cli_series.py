"""`rr reservations recurring` and `rr series ...` against a real HTTP API (zone: Paris)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.cli_helpers import Rr, admin, new_user, unique

PARIS = ZoneInfo("Europe/Paris")


def make_room(cli_api: str, tmp_path: Path) -> str:
    name = unique("Room ")
    admin(cli_api, tmp_path).ok("resources", "create", name, "--timezone", "Europe/Paris")
    return name


def next_monday() -> date:
    """A Monday at least two days ahead in Paris, so every occurrence is in the future."""
    day = datetime.now(PARIS).date() + timedelta(days=2)
    return day + timedelta(days=-day.weekday() % 7)


def z(day: date, hour: int, minute: int = 0) -> str:
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def starts(series: dict[str, object]) -> list[str]:
    occurrences = series["occurrences"]
    assert isinstance(occurrences, list)
    return sorted(o["start_time"] for o in occurrences)


def test_weekly_on_chosen_days_then_get_and_cancel(cli_api: str, tmp_path: Path) -> None:
    room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    bob, _ = new_user(cli_api, tmp_path)
    monday = next_monday()
    # When alice books Mondays and Wednesdays 09:00-10:00 (Paris), four times
    series = alice.json(
        "reservations", "recurring", "-r", room, "-s", f"{monday} 09:00", "-d", "1h",
        "--every", "week", "--on", "mon,wed", "--count", "4", "--notes", "course",
    )  # fmt: skip
    # Then four occurrences are booked on those days, at 09:00 Paris time
    days = [monday + timedelta(days=n) for n in (0, 2, 7, 9)]
    assert starts(series) == [z(day, 9) for day in days]
    assert series["status"] == "active"
    assert {o["series_id"] for o in series["occurrences"]} == {series["series_id"]}
    sid = series["series_id"]
    # And `series get` shows the same, as JSON and as tables in her zone
    assert alice.json("series", "get", sid)["occurrences"] == series["occurrences"]
    table = alice.ok("series", "get", sid).stdout
    assert "Occurrences" in table and f"{days[3]} 09:00" in table
    assert "times in Europe/Paris" in table
    # And bob may neither read nor cancel it
    assert "series_not_found" in bob.fails("series", "get", sid).stderr
    assert "HTTP 404" in bob.fails("series", "cancel", sid, "--yes").stderr
    # When alice cancels from the third occurrence on
    ordered = sorted(series["occurrences"], key=lambda o: o["start_time"])
    third = ordered[2]["reservation_id"]
    after = alice.json("series", "cancel", sid, "--following", third, "--reason", "moved", "--yes")
    # Then the first two stay booked and the series is still active
    status = {o["reservation_id"]: o["status"] for o in after["occurrences"]}
    assert [status[o["reservation_id"]] for o in ordered] == [
        "active",
        "active",
        "cancelled",
        "cancelled",
    ]
    assert after["status"] == "active"
    # When she cancels the rest (confirming at the prompt), Then the series is cancelled
    done = alice.ok("series", "cancel", sid, "--reason", "term over", input="y\n").stdout
    assert "4 of 4 occurrences cancelled; the series is cancelled" in done
    assert alice.json("series", "get", sid)["cancellation_reason"] == "term over"
    again = alice.fails("series", "cancel", sid, "--all", "--yes")
    assert "already_cancelled" in again.stderr


def test_a_taken_occurrence_refuses_the_series_unless_skipped(cli_api: str, tmp_path: Path) -> None:
    room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    bob, _ = new_user(cli_api, tmp_path)
    monday = next_monday()
    third = monday + timedelta(weeks=2)
    # Given bob holds 14:30-15:30 on the third Monday
    bob.ok("reserve", room, f"{third} 14:30", "-d", "1h")
    args = ("reservations", "recurring", "-r", room, "-s", f"{monday} 14:00", "-e")
    rule = (f"{monday} 15:00", "--rrule", "FREQ=WEEKLY;COUNT=4")
    # When alice asks for four Mondays, all or nothing
    refused = alice.fails(*args, *rule)
    # Then she gets the 409 naming occurrence 3 and the window it collides with, and holds nothing
    assert "reservation_conflict" in refused.stderr and "HTTP 409" in refused.stderr
    assert (
        f"occurrence 3: {third} 14:00 -> {third} 15:00: "
        f"conflicts with {third} 14:30 -> {third} 15:30 Europe/Paris"
    ) in refused.stderr
    assert alice.json("reservations", "list") == []
    # When she asks again, skipping the taken occurrences
    result = alice(*args, *rule, "--skip-conflicts", "--json")
    assert result.exit_code == 0, result.stderr
    # Then the other three are booked, and she is told which one was skipped
    weeks = [monday + timedelta(weeks=n) for n in (0, 1, 3)]
    assert starts(json.loads(result.stdout)) == [z(day, 14) for day in weeks]
    assert f"skipped (already taken): {third} 14:00 Europe/Paris" in result.stderr


def test_exdates_until_and_rule_breaks(cli_api: str, tmp_path: Path) -> None:
    room = make_room(cli_api, tmp_path)
    alice, _ = new_user(cli_api, tmp_path)
    monday = next_monday()
    base = ("reservations", "recurring", "-r", room, "-d", "30m")
    # A daily rule through Thursday (inclusive), minus Tuesday (a date) and Wednesday 08:00
    # (an instant): Monday and Thursday remain
    series = alice.json(
        *base, "-s", f"{monday} 08:00", "--every", "day", "--until", str(monday + timedelta(3)),
        "--exdate", str(monday + timedelta(1)), "--exdate", f"{monday + timedelta(2)} 08:00",
    )  # fmt: skip
    assert starts(series) == [z(monday, 8), z(monday + timedelta(3), 8)]
    # --count is appended to a --rrule that has no end of its own
    every_other = alice.json(
        *base, "-s", f"{monday} 18:00", "--rrule", "FREQ=DAILY;INTERVAL=2", "--count", "2"
    )
    assert every_other["rrule"] == "FREQ=DAILY;INTERVAL=2;COUNT=2"
    assert starts(every_other) == [z(monday, 18), z(monday + timedelta(2), 18)]
    # Given the room is closed on the second Monday, Then a weekly series lists that occurrence
    closed = str(monday + timedelta(weeks=1))
    admin(cli_api, tmp_path).ok(
        "resources", "blackouts", "add", closed, closed, "--reason", "works", "-r", room
    )
    broken = alice.fails(*base, "-s", f"{monday} 12:00", "--every", "week", "--count", "3").stderr
    assert "series_rule_violation" in broken and "HTTP 422" in broken
    assert f"occurrence 2: {closed} 12:00 -> {closed} 12:30 Europe/Paris:" in broken
    assert "(blackout_date)" in broken
    # and that occurrence's own Plan B (issue 13)
    assert "Plan B (book one with: rr reserve RESOURCE START END):" in broken


def test_input_errors_are_caught_before_any_request(cli_api: str, tmp_path: Path) -> None:
    rr = Rr(cli_api, tmp_path)  # not signed in: none of these reaches the API
    base = ("reservations", "recurring", "-r", "x", "-s", "tomorrow 10:00", "-d", "1h")
    assert "exactly one of --rrule and --every" in rr.fails(*base).stderr
    both = rr.fails(*base, "--rrule", "FREQ=DAILY", "--every", "day")
    assert "exactly one of --rrule and --every" in both.stderr
    ends = rr.fails(*base, "--every", "day", "--count", "3", "--until", "2030-01-01")
    assert "at most one of --count and --until" in ends.stderr
    assert "--on goes with --every week" in rr.fails(*base, "--every", "day", "--on", "mon").stderr
    assert "unknown weekday 'funday'" in rr.fails(*base, "--every", "week", "--on", "funday").stderr
    assert "day, week or month" in rr.fails(*base, "--every", "hour").stderr
    assert "as a date" in rr.fails(*base, "--every", "day", "--until", "soon").stderr
    assert "cannot read 'later'" in rr.fails(*base, "--every", "day", "--exdate", "later").stderr
    cancel = rr.fails("series", "cancel", "S1", "--following", "R1", "--all", "--yes")
    assert "at most one of --following and --all" in cancel.stderr
