"""Reading an uploaded CSV file row by row, the same way for every import (resources,
reservations): UTF-8 with or without BOM, at most MAX_BYTES, blank lines skipped, rows numbered
1-based over the data rows (header not counted) with the file line each starts on (header =
line 1), a cap on the rows, and a row with more cells than the header reported, not read."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import InvalidInput

MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class RowError:
    row: int
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "line": self.line, "field": self.field, "message": self.message}


def file_error(code: str, message: str, details: Any = None) -> InvalidInput:
    return InvalidInput(message, code=code, details=details)


def decode_csv(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise file_error("csv_too_large", f"the CSV body may be at most {MAX_BYTES} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error("csv_not_utf8", "the CSV body must be UTF-8 text") from exc


@dataclass(frozen=True)
class DataRow:
    row: int
    line: int
    values: dict[str, str]  # column (from the header) -> cell text


def read_csv(
    text: str,
    header: Callable[[Iterator[list[str]]], list[str]],
    *,
    max_rows: int,
    errors: list[RowError],
    too_many: str,
) -> list[DataRow]:
    """The data rows; `header(reader)` reads and checks the header row and returns the column
    names. A row with too many cells is appended to `errors` and left out."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = header(reader)
        return _rows(reader, columns, max_rows, errors, too_many)
    except csv.Error as exc:
        raise file_error("csv_malformed", f"the CSV could not be read: {exc}") from exc


def _rows(
    reader: Any, columns: list[str], max_rows: int, errors: list[RowError], too_many: str
) -> list[DataRow]:
    rows: list[DataRow] = []
    number = 0
    start_line = reader.line_num + 1
    for cells in reader:
        line, start_line = start_line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        number += 1
        if number > max_rows:
            raise file_error("csv_too_many_rows", too_many)
        if len(cells) > len(columns):
            errors.append(RowError(number, line, "", "more cells than header columns"))
            continue
        rows.append(DataRow(number, line, dict(zip(columns, cells, strict=False))))
    if number == 0:
        raise file_error("csv_empty", "the CSV has a header but no rows")
    return rows
