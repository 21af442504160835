"""Business hours and blackout validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from chalicelib.domain.catalog.hours import (
    date_window,
    local_today,
    new_blackout,
    parse_week,
    render_week,
)
from chalicelib.domain.catalog.resources import DayHours
from chalicelib.domain.errors import InvalidInput


def test_a_week_parses_to_weekday_numbers_and_missing_days_are_closed() -> None:
    hours = parse_week({"mon": {"opens": "08:00", "closes": "18:00"}, "SAT": None})
    assert hours.days == {0: DayHours(time(8), time(18))}


def test_24_00_closes_at_the_end_of_the_day_and_renders_back() -> None:
    # Given a day open around the clock
    hours = parse_week({"fri": {"opens": "00:00", "closes": "24:00"}})
    # Then the booking rules' convention holds (closes 00:00 = 24:00) and it reads back as 24:00
    assert hours.days[4] == DayHours(time(0), time(0))
    assert render_week(hours)["fri"] == {"opens": "00:00", "closes": "24:00"}
    assert render_week(hours)["mon"] is None


@pytest.mark.parametrize(
    "day",
    [
        {"opens": "18:00", "closes": "08:00"},
        {"opens": "09:00", "closes": "09:00"},
        {"opens": "9:00", "closes": "18:00"},
        {"opens": "08:00", "closes": "25:00"},
        {"opens": "24:00", "closes": "24:00"},
        {"opens": "08:60", "closes": "18:00"},
        {"opens": "08:00"},
    ],
)
def test_invalid_days_are_refused(day: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_week({"tue": day})
    assert caught.value.code == "invalid_business_hours"
    assert caught.value.details[0]["field"] == "days.tue"


def test_unknown_weekday_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_week({"funday": {"opens": "08:00", "closes": "09:00"}})


def test_blackout_end_is_inclusive_and_may_equal_start() -> None:
    blackout = new_blackout("b1", date(2026, 12, 24), date(2026, 12, 24), " Xmas ", "r1")
    assert (blackout.start_date, blackout.end_date, blackout.reason) == (
        date(2026, 12, 24),
        date(2026, 12, 24),
        "Xmas",
    )


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (date(2026, 12, 25), date(2026, 12, 24), ""),
        (date(2026, 1, 1), date(2027, 1, 2), ""),
        (date(2026, 1, 1), date(2026, 1, 2), "x" * 501),
    ],
)
def test_bad_blackouts_are_refused(start: date, end: date, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        new_blackout("b1", start, end, reason, None)
    assert caught.value.code == "invalid_blackout"


def test_date_window_bounds() -> None:
    assert date_window(date(2026, 1, 1), date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        date_window(date(2026, 1, 2), date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        date_window(date(2026, 1, 1), date(2028, 1, 3))


def test_local_today_is_in_the_resource_zone() -> None:
    # 23:30 UTC on the 24th is already the 25th in Berlin and still the 24th in New York
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert local_today(now, "Europe/Berlin") == date(2026, 11, 25)
    assert local_today(now, "America/New_York") == date(2026, 11, 24)
