"""Time zones through the pure rules: DST in Europe, America and Australia; odd offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.errors import RuleViolation
from chalicelib.domain.reservations.availability import free_slots
from chalicelib.domain.reservations.booking_rules import (
    check_booking,
    day_bounds,
    local_dates,
    opening_window,
    validate_window_input,
)
from chalicelib.domain.reservations.conflicts import find_conflicts, utc_days
from chalicelib.domain.reservations.recurrence import LocalAdjustment, expand_recurrence
from tests.unit.booking_factories import (
    NOW,
    always_open_hours,
    local,
    make_blackout,
    make_hours,
    make_reservation,
    make_resource,
    utc,
    window,
)

YEAR = timedelta(days=365)


@pytest.mark.parametrize(
    ("zone", "first_monday"),
    [
        ("Europe/Berlin", date(2026, 3, 16)),  # spring forward 2026-03-29
        ("Europe/Berlin", date(2026, 10, 12)),  # fall back 2026-10-25
        ("America/New_York", date(2026, 2, 23)),  # spring forward 2026-03-08
        ("America/New_York", date(2026, 10, 19)),  # fall back 2026-11-01
        ("Australia/Sydney", date(2026, 3, 23)),  # fall back 2026-04-05 (southern autumn)
        ("Australia/Sydney", date(2026, 9, 21)),  # spring forward 2026-10-04
    ],
)
def test_weekly_series_at_nine_passes_nine_to_five_hours_across_dst(
    zone: str, first_monday: date
) -> None:
    # Given a resource open 09:00-17:00 local and a weekly 09:00-10:00 series around a DST change
    resource = make_resource(timezone=zone, horizon=YEAR)
    start = local(zone, first_monday.year, first_monday.month, first_monday.day, 9)
    series = expand_recurrence(
        start, timedelta(hours=1), "FREQ=WEEKLY;COUNT=5", timezone=zone, now=NOW, horizon=YEAR
    )
    # When every occurrence is checked against the rules
    for occurrence in series:
        check_booking(resource, occurrence.window, now=NOW, hours=make_hours(), blackouts=())
    # Then all pass, and the UTC start moved by exactly one hour somewhere in the series
    utc_hours = {o.start.hour for o in series}
    assert len(utc_hours) == 2
    assert max(utc_hours) - min(utc_hours) in (1, 23)


def test_series_kept_at_utc_time_would_leave_the_hours_after_dst() -> None:
    # Given a weekly 16:00-17:00 Berlin booking starting in winter (15:00Z)
    zone = "Europe/Berlin"
    resource = make_resource(timezone=zone, horizon=YEAR)
    series = expand_recurrence(
        local(zone, 2026, 3, 23, 16),
        timedelta(hours=1),
        "FREQ=WEEKLY;COUNT=2",
        timezone=zone,
        now=NOW,
        horizon=YEAR,
    )
    # Then after the change it is 14:00Z, still 16:00 local and inside the hours
    assert series[1].start == utc(2026, 3, 30, 14)
    check_booking(resource, series[1].window, now=NOW, hours=make_hours(), blackouts=())
    # whereas keeping 15:00Z (what a UTC-only expansion does) would end at 18:00 local
    with pytest.raises(RuleViolation) as caught:
        check_booking(
            resource, window(utc(2026, 3, 30, 15)), now=NOW, hours=make_hours(), blackouts=()
        )
    assert caught.value.code == "outside_business_hours"


def test_lord_howe_half_hour_dst_gap_is_shifted_forward() -> None:
    # Lord Howe Island moves its clocks by 30 minutes: 02:00 -> 02:30 on 2026-10-04
    zone = "Australia/Lord_Howe"
    series = expand_recurrence(
        local(zone, 2026, 10, 3, 2, 15),
        timedelta(minutes=30),
        "FREQ=DAILY;COUNT=2",
        timezone=zone,
        now=NOW,
        horizon=YEAR,
    )
    assert series[1].local_start.time() == time(2, 45)
    assert series[1].adjustment is LocalAdjustment.GAP_SHIFTED_FORWARD


def test_local_days_have_23_24_and_25_hours() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert day_bounds(date(2026, 3, 29), berlin).duration == timedelta(hours=23)
    assert day_bounds(date(2026, 7, 1), berlin).duration == timedelta(hours=24)
    assert day_bounds(date(2026, 10, 25), berlin).duration == timedelta(hours=25)


def test_opening_time_inside_the_gap_moves_forward() -> None:
    # Given hours that open at 02:30 on a Sunday; on 2026-03-08 New York skips 02:00-03:00
    hours = make_hours("02:30", "12:00", weekdays=[6])
    opening = opening_window(hours, date(2026, 3, 8), ZoneInfo("America/New_York"))
    # Then the day opens at 03:30 EDT (07:30Z) and closes at 12:00 EDT (16:00Z)
    assert opening == window(utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 16))


def test_free_day_on_new_york_fall_back_is_25_hours() -> None:
    resource = make_resource(timezone="America/New_York", horizon=YEAR)
    free = free_slots(
        resource,
        date(2026, 11, 1),
        hours=always_open_hours(),
        blackouts=(),
        reservations=(),
        now=NOW,
    )
    assert [slot.duration for slot in free] == [timedelta(hours=25)]
    assert free[0].start == utc(2026, 11, 1, 4)


def test_india_offset_business_hours() -> None:
    # Asia/Kolkata is +05:30 all year: 09:00-17:00 local is 03:30Z-11:30Z
    resource = make_resource(timezone="Asia/Kolkata")
    ok = validate_window_input(
        datetime(2026, 1, 19, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2026, 1, 19, 11, 30, tzinfo=UTC),
    )
    assert ok == window(utc(2026, 1, 19, 3, 30), utc(2026, 1, 19, 11, 30))
    check_booking(resource, ok, now=NOW, hours=make_hours(), blackouts=())
    early = window(utc(2026, 1, 19, 3, 29))
    with pytest.raises(RuleViolation):
        check_booking(resource, early, now=NOW, hours=make_hours(), blackouts=())


def test_brazil_blackout_is_the_local_date() -> None:
    # America/Sao_Paulo is -03:00: 01:00Z on the 20th is still the 19th there
    resource = make_resource(timezone="America/Sao_Paulo")
    blackout = make_blackout(date(2026, 1, 19))
    with pytest.raises(RuleViolation) as caught:
        check_booking(
            resource, window(utc(2026, 1, 20, 1)), now=NOW, hours=None, blackouts=(blackout,)
        )
    assert caught.value.details["date"] == "2026-01-19"
    check_booking(resource, window(utc(2026, 1, 20, 3)), now=NOW, hours=None, blackouts=(blackout,))


def test_kiribati_plus_14_local_dates_and_utc_days_differ() -> None:
    # Pacific/Kiritimati is +14:00: 09:00 local on the 20th is 19:00Z on the 19th
    zone = ZoneInfo("Pacific/Kiritimati")
    booking = window(local("Pacific/Kiritimati", 2026, 1, 20, 9))
    assert local_dates(booking, zone) == [date(2026, 1, 20)]
    assert utc_days(booking) == [date(2026, 1, 19)]


def test_same_instant_in_three_offsets_is_one_conflict() -> None:
    # The old product compared wall clocks after dropping offsets (SEED-API 7.1 item 2)
    existing = make_reservation(
        datetime(2026, 1, 20, 15, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    )
    for offset in (timedelta(0), timedelta(hours=-3), timedelta(hours=14)):
        same = window(utc(2026, 1, 20, 10).astimezone(timezone(offset)))
        assert find_conflicts(same, [existing]) == [existing]
