"""CSV import of reservations: parse and check every row's shape (pure; the booking rules,
quotas and conflicts are checked by the bulk booking path afterwards).

Columns (header row required, names case-insensitive, order free):
`resource` (id or name), `start`, `end`, `timezone` (optional), `title` and `notes`
(optional), `user` (optional: id or username; only an admin may name someone else).
Times are ISO 8601; one without an offset is read in the row's `timezone` (IANA name),
else in UTC. Rows are read and numbered as in every import (domain/csv_rows.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.csv_rows import RowError, file_error, read_csv

# One request checks and writes the whole file (about 35 transactions of the bulk path's
# anchored chunks for 1,000 rows); larger files are split by the caller.
MAX_ROWS = 1000
COLUMNS = ("resource", "start", "end", "timezone", "title", "notes", "user")
REQUIRED = ("resource", "start", "end")
# Accepted spellings of the columns (the export writes `resource_id`, `start_time`, ...), so
# an exported file can be imported again.
ALIASES = {"resource_id": "resource", "start_time": "start", "end_time": "end", "user_id": "user"}
IGNORED = ("reservation_id", "resource_name", "status", "series_id", "created_at")
MAX_NOTES = 1000


@dataclass(frozen=True)
class ImportRow:
    row: int
    line: int
    resource: str
    start: datetime
    end: datetime
    notes: str = ""
    user: str | None = None


@dataclass
class ImportParse:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_reservations_csv(text: str) -> ImportParse:
    result = ImportParse()
    rows = read_csv(
        text,
        _header,
        max_rows=MAX_ROWS,
        errors=result.errors,
        too_many=f"an import may have at most {MAX_ROWS} rows; split the file",
    )
    for data in rows:
        row, problems = _row(data.row, data.line, data.values)
        result.errors += problems
        if row is not None:
            result.rows.append(row)
    return result


def _header(reader: Any) -> list[str]:
    try:
        raw = next(reader)
    except StopIteration:
        raw = []
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in raw]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [h for h in names if h not in COLUMNS and h not in IGNORED]
    repeated = sorted({h for h in names if names.count(h) > 1})
    if missing or unknown or repeated:
        raise file_error(
            "csv_header_invalid",
            "the first row must be a header with resource, start and end columns",
            {"missing": missing, "unknown": unknown, "repeated": repeated, "allowed": COLUMNS},
        )
    return names


def _row(number: int, line: int, values: dict[str, str]) -> tuple[ImportRow | None, list[RowError]]:
    problems: list[RowError] = []

    def problem(column: str, message: str) -> None:
        problems.append(RowError(number, line, column, message))

    resource = values.get("resource", "").strip()
    if not resource:
        problem("resource", "a resource (id or name) is required")
    zone = _zone(values.get("timezone", ""), problem)
    start = _instant(values.get("start", ""), zone, "start", problem)
    end = _instant(values.get("end", ""), zone, "end", problem)
    notes = _notes(values.get("title", ""), values.get("notes", ""))
    if len(notes) > MAX_NOTES:
        problem("notes", f"title and notes together may have at most {MAX_NOTES} characters")
    user = values.get("user", "").strip() or None
    if problems or start is None or end is None:
        return None, problems
    return ImportRow(number, line, resource, start, end, notes, user), []


def _zone(text: str, problem: Any) -> tzinfo:
    name = text.strip()
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problem("timezone", f"'{name[:40]}' is not an IANA time zone (e.g. Europe/Berlin)")
        return UTC


def _instant(text: str, zone: tzinfo, column: str, problem: Any) -> datetime | None:
    value = text.strip()
    if not value:
        problem(column, f"a {column} time is required")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        problem(column, f"'{value[:40]}' is not an ISO 8601 date and time")
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _notes(title: str, notes: str) -> str:
    """The reservation has one free-text field: a title leads it, set off from the notes."""
    parts = [p for p in (title.strip(), notes.strip()) if p]
    return " - ".join(parts)
