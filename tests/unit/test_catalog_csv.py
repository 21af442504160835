"""CSV import parsing: every row validated, errors carry 1-based row numbers and file lines."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.domain.catalog.csv_import import MAX_ROWS, decode_csv, parse_resources_csv
from chalicelib.domain.errors import InvalidInput

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_a_full_row_becomes_a_clean_draft() -> None:
    text = (
        "name,description,tags,capacity,building,floor,room,timezone,requires_approval,"
        "approvers,min_duration_minutes,max_duration_minutes,buffer_after_minutes,enabled\n"
        "Room 1,Nice,Quiet; projector ;quiet,8,HQ,2,201,Europe/Berlin,yes,u1;u2,30,120,10,no\n"
    )
    parsed = parse_resources_csv(text)
    assert parsed.errors == []
    (row,) = parsed.rows
    draft = row.draft
    assert (row.row, row.line) == (1, 2)
    assert draft.name == "Room 1" and draft.tags == ("quiet", "projector")
    assert draft.capacity == 8 and draft.location.room == "201"
    assert draft.requires_approval and draft.approvers == ("u1", "u2")
    assert draft.policy.min_duration == timedelta(minutes=30)
    assert draft.policy.buffer_after == timedelta(minutes=10)
    assert draft.enabled is False


def test_only_name_is_required_and_defaults_apply() -> None:
    parsed = parse_resources_csv("name\nDesk 1\n")
    assert parsed.rows[0].draft.timezone == "UTC" and parsed.rows[0].draft.capacity == 1


def test_every_bad_row_is_reported_with_row_and_line() -> None:
    # Given a file whose rows 2 and 4 are bad and a blank line before row 3
    text = (
        "name,capacity,timezone\n"
        "Good 1,2,UTC\n"
        ",zero,Mars/Base\n"
        "\n"
        "Good 2,3,Europe/Paris\n"
        "good 1,1,UTC\n"
    )
    parsed = parse_resources_csv(text)
    # Then each error names its data row (header and blank lines not counted) and file line
    found = {(e.row, e.line, e.field) for e in parsed.errors}
    assert found == {(2, 3, "name"), (2, 3, "capacity"), (2, 3, "timezone"), (4, 6, "name")}
    assert [r.row for r in parsed.rows] == [1, 3]
    duplicate = next(e for e in parsed.errors if e.row == 4)
    assert "row 1" in duplicate.message


def test_quoted_cells_may_span_lines_and_hold_commas() -> None:
    parsed = parse_resources_csv('name,description\n"Room, big","two\nlines"\nNext,x\n')
    assert parsed.errors == []
    assert parsed.rows[0].draft.name == "Room, big"
    assert [(r.row, r.line) for r in parsed.rows] == [(1, 2), (2, 4)]


def test_too_many_cells_is_a_row_error() -> None:
    parsed = parse_resources_csv("name\nA,extra\n")
    assert parsed.errors[0].row == 1 and "more cells" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "csv_header_invalid"),
        ("description\nx\n", "csv_header_invalid"),
        ("name,price\nA,1\n", "csv_header_invalid"),
        ("name,name\nA,B\n", "csv_header_invalid"),
        ("name\n", "csv_empty"),
        ("name\n\n\n", "csv_empty"),
    ],
)
def test_file_level_problems(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_resources_csv(text)
    assert caught.value.code == code


def test_row_limit() -> None:
    text = "name\n" + "".join(f"R{i}\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(InvalidInput) as caught:
        parse_resources_csv(text)
    assert caught.value.code == "csv_too_many_rows"
    assert (
        len(parse_resources_csv("name\n" + "".join(f"R{i}\n" for i in range(MAX_ROWS))).rows)
        == MAX_ROWS
    )


def test_body_must_be_utf8_and_at_most_a_megabyte() -> None:
    assert decode_csv("\ufeffname\nA\n".encode()) == "name\nA\n"  # a BOM is dropped
    with pytest.raises(InvalidInput) as not_utf8:
        decode_csv(b"name\n\xff\n")
    with pytest.raises(InvalidInput) as too_big:
        decode_csv(b"x" * 1_000_001)
    assert (not_utf8.value.code, too_big.value.code) == ("csv_not_utf8", "csv_too_large")


def test_the_samples_behave_as_documented() -> None:
    good = parse_resources_csv((SAMPLES / "resources.csv").read_text())
    bad = parse_resources_csv((SAMPLES / "resources-bad.csv").read_text())
    assert good.errors == [] and len(good.rows) >= 5
    assert bad.errors and {e.row for e in bad.errors} >= {2}
