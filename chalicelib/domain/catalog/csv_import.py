"""CSV import of resources: parse and validate every row (pure; the store writes them).

Rows are read and numbered as in every import (domain/csv_rows.py: 1-based over the data
rows, header not counted, blank lines skipped; `line` is the file line, header = line 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from chalicelib.domain.catalog.resources import BookingPolicy, Location
from chalicelib.domain.catalog.rules import Problem, ResourceDraft, draft_problems, name_key
from chalicelib.domain.csv_rows import RowError, decode_csv, file_error, read_csv

MAX_ROWS = 1000
COLUMNS = (
    "name",
    "description",
    "tags",
    "capacity",
    "building",
    "floor",
    "room",
    "timezone",
    "enabled",
    "requires_approval",
    "approvers",
    "min_duration_minutes",
    "max_duration_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "booking_horizon_days",
    "min_notice_minutes",
)
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_POLICY_UNITS: dict[str, tuple[str, Callable[[int], timedelta]]] = {
    "min_duration_minutes": ("min_duration", lambda n: timedelta(minutes=n)),
    "max_duration_minutes": ("max_duration", lambda n: timedelta(minutes=n)),
    "buffer_before_minutes": ("buffer_before", lambda n: timedelta(minutes=n)),
    "buffer_after_minutes": ("buffer_after", lambda n: timedelta(minutes=n)),
    "booking_horizon_days": ("horizon", lambda n: timedelta(days=n)),
    "min_notice_minutes": ("min_notice", lambda n: timedelta(minutes=n)),
}


@dataclass(frozen=True)
class CsvRow:
    row: int
    line: int
    draft: ResourceDraft


@dataclass
class CsvParse:
    rows: list[CsvRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _header(reader: Any) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        header = []
    names = [h.strip().lower() for h in header]
    if "name" not in names:
        raise file_error(
            "csv_header_invalid", "the first row must be a header with a 'name' column"
        )
    unknown = [h for h in names if h not in COLUMNS]
    duplicated = sorted({h for h in names if names.count(h) > 1})
    if unknown or duplicated:
        raise file_error(
            "csv_header_invalid",
            "the header has unknown or repeated columns",
            {"unknown": unknown, "repeated": duplicated, "allowed": list(COLUMNS)},
        )
    return names


def _int(values: dict[str, str], column: str, problems: list[Problem]) -> int | None:
    text = values.get(column, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(Problem(column, f"'{text[:20]}' is not a whole number"))
        return None


def _bool(values: dict[str, str], column: str, default: bool, problems: list[Problem]) -> bool:
    text = values.get(column, "").strip().lower()
    if not text:
        return default
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    problems.append(Problem(column, f"'{text[:20]}' is not true/false"))
    return default


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in (p.strip() for p in text.split(";")) if part)


def _policy(values: dict[str, str], problems: list[Problem]) -> BookingPolicy:
    policy = BookingPolicy()
    for column, (attr, unit) in _POLICY_UNITS.items():
        number = _int(values, column, problems)
        if number is not None:
            policy = replace(policy, **{attr: unit(number)})
    return policy


def row_to_draft(values: dict[str, str]) -> tuple[ResourceDraft, list[Problem]]:
    """Build and validate a draft from one row's cells (column -> text)."""
    problems: list[Problem] = []
    capacity = _int(values, "capacity", problems)
    requires_approval = _bool(values, "requires_approval", False, problems)
    draft = ResourceDraft(
        name=values.get("name", ""),
        description=values.get("description", ""),
        tags=_split(values.get("tags", "")),
        capacity=1 if capacity is None else capacity,
        location=Location(
            building=values.get("building", ""),
            floor=values.get("floor", ""),
            room=values.get("room", ""),
        ),
        timezone=values.get("timezone", "").strip() or "UTC",
        enabled=_bool(values, "enabled", True, problems),
        requires_approval=requires_approval,
        approvers=_split(values.get("approvers", "")),
        policy=_policy(values, problems),
    )
    cleaned, more = draft_problems(draft)
    return cleaned, problems + more


def parse_resources_csv(text: str) -> CsvParse:
    """Every row validated; duplicate names inside the file are errors on the later row."""
    result = CsvParse()
    rows = read_csv(
        text,
        _header,
        max_rows=MAX_ROWS,
        errors=result.errors,
        too_many=f"a CSV import may have at most {MAX_ROWS} rows",
    )
    seen: dict[str, int] = {}
    for data in rows:
        draft, problems = row_to_draft(data.values)
        key = name_key(draft.name)
        if draft.name and key in seen:
            problems.append(Problem("name", f"the name repeats row {seen[key]}"))
        seen.setdefault(key, data.row)
        result.errors += [RowError(data.row, data.line, p.field, p.message) for p in problems]
        if not problems:
            result.rows.append(CsvRow(data.row, data.line, draft))
    return result


# decode_csv and RowError live in domain/csv_rows.py; named here for this import's callers.
__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "CsvParse",
    "CsvRow",
    "RowError",
    "decode_csv",
    "parse_resources_csv",
    "row_to_draft",
]
