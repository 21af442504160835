"""Parsing a reservations CSV (domain/reservations/csv_import.py): columns and their aliases,
times read in the row's zone, title and notes joined, every shape problem named by row,
line and column."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reservations.csv_import import parse_reservations_csv


def test_an_exported_file_reads_back_with_its_extra_columns_ignored() -> None:
    text = (
        "reservation_id,resource_id,resource_name,user_id,start_time,end_time,status,notes\n"
        "r1,room-1,Room 1,u1,2026-12-01T09:00:00.000Z,2026-12-01T10:00:00.000Z,active,hi\n"
    )
    parsed = parse_reservations_csv(text)
    assert parsed.errors == []
    (row,) = parsed.rows
    assert (row.resource, row.user, row.notes) == ("room-1", "u1", "hi")
    assert row.start == datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_local_times_take_the_rows_zone_and_title_leads_the_notes() -> None:
    text = (
        "Resource,Start,End,TimeZone,Title,Notes\n"
        "A,2026-07-01T09:00,2026-07-01T10:00,Europe/Berlin,Sync,weekly\n"
    )
    (row,) = parse_reservations_csv(text).rows
    assert row.start.astimezone(UTC) == datetime(2026, 7, 1, 7, tzinfo=UTC)
    assert row.notes == "Sync - weekly"


def test_each_problem_names_row_line_and_column_and_blank_lines_are_skipped() -> None:
    text = (
        "resource,start,end,timezone\n"
        "\n"
        ",2026-07-01T09:00Z,2026-07-01T10:00Z,\n"
        "A,9 o'clock,2026-07-01T10:00Z,Nowhere/City\n"
    )
    parsed = parse_reservations_csv(text)
    assert parsed.rows == []
    found = {(e.row, e.line, e.field) for e in parsed.errors}
    assert found == {(1, 3, "resource"), (2, 4, "timezone"), (2, 4, "start")}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("resource,start\nA,2026-07-01T09:00Z\n", "csv_header_invalid"),
        ("resource,start,end,start\n", "csv_header_invalid"),
        ("resource,start,end\n\n", "csv_empty"),
        (
            "resource,start,end\n" + "A,2026-07-01T09:00Z,2026-07-01T10:00Z\n" * 1001,
            "csv_too_many_rows",
        ),
    ],
)
def test_unreadable_files_are_refused_whole(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_reservations_csv(text)
    assert refused.value.code == code
