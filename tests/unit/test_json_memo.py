"""The JSON memo serves a stored text only for the very same rows list and envelope."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.api.json_memo import JsonMemo


def _builder(rows: list[dict[str, Any]], calls: list[int]) -> Any:
    def build() -> str:
        calls.append(1)
        return json.dumps(rows)

    return build


def test_the_same_rows_under_the_same_envelope_are_serialised_once() -> None:
    memo, calls = JsonMemo(), []
    rows = [{"name": "Room 1", "booked_hours": 2.0}]
    first = memo.text(rows, ("2026-12-01", "2026-12-10", "resource"), _builder(rows, calls))
    again = memo.text(rows, ("2026-12-01", "2026-12-10", "resource"), _builder(rows, calls))
    assert first == again == json.dumps(rows) and len(calls) == 1


def test_an_equal_but_new_list_is_serialised_anew() -> None:
    # A user's rows (a fresh list per request) never get another answer's text, even when
    # they happen to be equal: only identity with the stored list counts.
    memo, calls = JsonMemo(), []
    envelope = ("2026-12-01", "2026-12-10", "resource")
    mine = [{"name": "Room 1", "booked_hours": 2.0}]
    theirs = [{"name": "Room 1", "booked_hours": 2.0}]
    memo.text(mine, envelope, _builder(mine, calls))
    memo.text(theirs, envelope, _builder(theirs, calls))
    assert len(calls) == 2


def test_another_envelope_or_new_rows_replace_the_text() -> None:
    memo, calls = JsonMemo(), []
    rows = [{"name": "Room 1", "booked_hours": 2.0}]
    memo.text(rows, ("2026-12-01", "2026-12-10", "resource"), _builder(rows, calls))
    other = memo.text(rows, ("2026-12-01", "2026-12-11", "resource"), lambda: "other")
    newer = [{"name": "Room 1", "booked_hours": 3.0}]
    latest = memo.text(newer, ("2026-12-01", "2026-12-11", "resource"), _builder(newer, calls))
    assert other == "other" and latest == json.dumps(newer) and len(calls) == 2
