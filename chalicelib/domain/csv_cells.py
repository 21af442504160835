"""CSV lines a spreadsheet cannot run: a cell starting with `= + - @`, a tab or a carriage
return is neutralised with a leading quote (OWASP "CSV injection"). Shared by every export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = frozenset("=+-@\t\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in FORMULA_STARTS and len(text) > 1 else text


def csv_line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(v) for v in values])
    return buffer.getvalue()
