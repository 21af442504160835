"""What the CLI prints: JSON for scripts, tables with local times for people."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from cli.output import Column, Output, lookup

TOKYO = ZoneInfo("Asia/Tokyo")
ROW = {
    "id": "R1",
    "name": "[red]Room A",
    "start_time": "2026-11-24T09:00:00Z",
    "tags": ["projector", "quiet"],
    "enabled": True,
    "location": {"building": "HQ", "floor": "2"},
    "notes": None,
}
COLUMNS = [
    Column("id", "id"),
    Column("name", "name"),
    Column("start_time", "start", "time"),
    Column("tags", "tags", "list"),
    Column("enabled", "enabled", "bool"),
    Column("location.building", "building"),
    Column("notes", "notes"),
]


def test_json_output_is_the_raw_answer(capsys: pytest.CaptureFixture[str]) -> None:
    Output(TOKYO).json([ROW])
    assert json.loads(capsys.readouterr().out) == [ROW]


def test_tables_show_local_times_and_name_the_zone(capsys: pytest.CaptureFixture[str]) -> None:
    # When a row with a UTC instant is printed for a Tokyo user
    Output(TOKYO).table([ROW], COLUMNS, title="Reservations")
    out = capsys.readouterr().out
    # Then the time is Tokyo's (UTC+9), the caption says so, lists and booleans are readable
    assert "2026-11-24 18:00" in out
    assert "times in Asia/Tokyo" in out
    assert "projector, quiet" in out
    assert "yes" in out
    assert "HQ" in out


def test_user_text_is_never_interpreted_as_markup(capsys: pytest.CaptureFixture[str]) -> None:
    Output(TOKYO).table([ROW], COLUMNS)
    assert "[red]Room A" in capsys.readouterr().out


def test_empty_lists_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    Output(TOKYO).table([], COLUMNS, empty="no reservations")
    assert "no reservations" in capsys.readouterr().out


def test_records_and_missing_values(capsys: pytest.CaptureFixture[str]) -> None:
    Output(TOKYO).record(ROW, COLUMNS)
    out = capsys.readouterr().out
    assert "building" in out
    assert "-" in out  # notes: None is shown as a dash, not "None"
    assert "None" not in out


def test_progress_and_notices_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    output = Output(TOKYO)
    with output.pages("resources") as progress:
        progress(1, 20)
        progress(2, 35)
    with output.pages("users") as progress:
        progress(1, 3)
    output.notice("careful")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "resources: 35 in 2 page(s)" in captured.err
    assert "users" not in captured.err  # a single page needs no progress report
    assert "careful" in captured.err


def test_lookup_follows_dotted_paths() -> None:
    assert lookup(ROW, "location.floor") == "2"
    assert lookup(ROW, "location.room") is None
    assert lookup(ROW, "name.first") is None
