"""Instants: offsets required on input, UTC with Z on output."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.timeutil import iso_z, parse_instant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-29T09:00:00Z", datetime(2026, 3, 29, 9, tzinfo=UTC)),
        ("2026-03-29T11:00:00+02:00", datetime(2026, 3, 29, 9, tzinfo=UTC)),
        ("2026-03-29T14:30:00+05:30", datetime(2026, 3, 29, 9, tzinfo=UTC)),
        ("2026-03-29T06:00:00-03:00", datetime(2026, 3, 29, 9, tzinfo=UTC)),
    ],
)
def test_offsets_are_converted_to_utc(text: str, expected: datetime) -> None:
    assert parse_instant(text) == expected


def test_naive_input_is_refused_not_guessed() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_instant("2026-03-29T09:00:00", field="start_time")
    assert caught.value.code == "naive_datetime"
    assert caught.value.details == {"field": "start_time"}


def test_garbage_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_instant("next tuesday")


def test_output_is_fixed_width_utc_with_z() -> None:
    assert iso_z(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000Z"
