"""RRULE expansion in the resource's zone: DST, gaps, EXDATE, COUNT/UNTIL, caps, bad rules."""

from __future__ import annotations

import time as stopwatch
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.reservations.recurrence import (
    MAX_OCCURRENCES,
    LocalAdjustment,
    Occurrence,
    expand_recurrence,
    rrule_from_simple,
)
from chalicelib.domain.reservations.rrule_text import split_rule
from tests.unit.booking_factories import NOW, local, utc

HOUR = timedelta(hours=1)
YEAR = timedelta(days=365)


def expand(
    start: datetime,
    rule: str,
    *,
    tz: str = "UTC",
    duration: timedelta = HOUR,
    horizon: timedelta = YEAR,
    **kwargs: Any,
) -> list[Occurrence]:
    return expand_recurrence(start, duration, rule, timezone=tz, now=NOW, horizon=horizon, **kwargs)


def starts(occurrences: list[Occurrence]) -> list[datetime]:
    return [o.start for o in occurrences]


def local_clock(occurrences: list[Occurrence]) -> set[time]:
    return {o.local_start.time() for o in occurrences}


def invalid(start: datetime, rule: str, **kwargs: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        expand(start, rule, **kwargs)
    return caught.value


# ---------------------------------------------------------------- basic expansion


def test_weekly_on_monday_and_wednesday_with_count() -> None:
    # Given Monday 2026-02-02 09:00 in Berlin, given as UTC (08:00Z)
    first = utc(2026, 2, 2, 8)
    # When expanding ten Mondays and Wednesdays
    series = expand(first, "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", tz="Europe/Berlin")
    # Then there are ten, alternating weekdays, all at 09:00 local, one hour long, in order
    assert len(series) == 10
    assert [o.local_date.weekday() for o in series] == [0, 2] * 5
    assert local_clock(series) == {time(9)}
    assert all(o.window.duration == HOUR for o in series)
    assert [o.index for o in series] == list(range(10))
    assert starts(series) == sorted(starts(series))
    assert all(o.start.tzinfo is UTC for o in series)


def test_start_with_another_offset_is_converted_to_the_zone_first() -> None:
    # 13:30+05:30 is 08:00Z, which is 09:00 in Berlin in February
    first = datetime(2026, 2, 2, 13, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    series = expand(first, "FREQ=DAILY;COUNT=2", tz="Europe/Berlin")
    assert local_clock(series) == {time(9)}
    assert series[0].start == utc(2026, 2, 2, 8)


def test_start_with_a_negative_offset() -> None:
    # 06:00-03:00 is 09:00Z; the resource is in New York (14:00Z would be 09:00 there)
    first = datetime(2026, 2, 2, 6, 0, tzinfo=timezone(timedelta(hours=-3)))
    series = expand(first, "FREQ=DAILY;COUNT=2", tz="America/New_York")
    assert local_clock(series) == {time(4)}
    assert starts(series) == [utc(2026, 2, 2, 9), utc(2026, 2, 3, 9)]


def test_rrule_prefix_and_lower_case_are_accepted() -> None:
    series = expand(utc(2026, 2, 2, 9), "rrule:freq=daily;count=3")
    assert len(series) == 3


def test_monthly_on_the_31st_skips_short_months() -> None:
    series = expand(utc(2026, 1, 31, 9), "FREQ=MONTHLY;COUNT=3")
    assert [o.local_date for o in series] == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
    ]


def test_start_not_matching_the_rule_books_only_matching_dates() -> None:
    # Tuesday start, Monday/Wednesday rule: dateutil semantics, the Tuesday is not booked
    series = expand(utc(2026, 2, 3, 9), "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=2")
    assert [o.local_date for o in series] == [date(2026, 2, 4), date(2026, 2, 9)]


# ---------------------------------------------------------------- DST


@pytest.mark.parametrize(
    ("zone", "first", "before_utc_hour", "after_utc_hour"),
    [
        # Berlin: CET (UTC+1) -> CEST (UTC+2) on 2026-03-29, back on 2026-10-25
        ("Europe/Berlin", (2026, 3, 16), 8, 7),
        ("Europe/Berlin", (2026, 10, 12), 7, 8),
        # New York: EST (UTC-5) -> EDT (UTC-4) on 2026-03-08, back on 2026-11-01
        ("America/New_York", (2026, 2, 23), 14, 13),
        ("America/New_York", (2026, 10, 19), 13, 14),
    ],
)
def test_weekly_nine_oclock_stays_at_nine_local_across_dst(
    zone: str, first: tuple[int, int, int], before_utc_hour: int, after_utc_hour: int
) -> None:
    # Given a weekly 09:00 local booking that starts two weeks before a DST change
    start = local(zone, *first, 9)
    # When expanding four weeks
    series = expand(start, "FREQ=WEEKLY;COUNT=4", tz=zone)
    # Then the local clock never moves, and the UTC hour moves by one after the change
    assert local_clock(series) == {time(9)}
    assert [o.start.hour for o in series] == [before_utc_hour] * 2 + [after_utc_hour] * 2
    assert {o.adjustment for o in series} == {LocalAdjustment.NONE}


def test_nonexistent_local_time_is_shifted_forward_by_the_gap_in_berlin() -> None:
    # Given a daily 02:30 booking across the spring-forward night (02:00 -> 03:00)
    series = expand(
        local("Europe/Berlin", 2026, 3, 28, 2, 30), "FREQ=DAILY;COUNT=3", tz="Europe/Berlin"
    )
    # Then on 2026-03-29 it happens at 03:30 CEST (01:30Z) and is flagged
    gap_day = series[1]
    assert gap_day.local_date == date(2026, 3, 29)
    assert gap_day.local_start.time() == time(3, 30)
    assert gap_day.start == utc(2026, 3, 29, 1, 30)
    assert gap_day.adjustment is LocalAdjustment.GAP_SHIFTED_FORWARD
    # And the days around it are at 02:30 local
    assert series[0].start == utc(2026, 3, 28, 1, 30)
    assert series[2].start == utc(2026, 3, 30, 0, 30)
    assert series[2].adjustment is LocalAdjustment.NONE


def test_nonexistent_local_time_is_shifted_forward_in_new_york() -> None:
    series = expand(
        local("America/New_York", 2026, 3, 7, 2, 30), "FREQ=DAILY;COUNT=2", tz="America/New_York"
    )
    assert series[1].local_start.time() == time(3, 30)
    assert series[1].start == utc(2026, 3, 8, 7, 30)


def test_ambiguous_local_time_takes_the_first_instant_in_berlin() -> None:
    # Given a daily 02:30 booking across the fall-back night (03:00 -> 02:00)
    series = expand(
        local("Europe/Berlin", 2026, 10, 24, 2, 30), "FREQ=DAILY;COUNT=3", tz="Europe/Berlin"
    )
    # Then 02:30 on 2026-10-25 is the first one, still summer time (00:30Z, not 01:30Z)
    assert series[1].start == utc(2026, 10, 25, 0, 30)
    assert series[1].adjustment is LocalAdjustment.AMBIGUOUS_FIRST
    assert series[2].start == utc(2026, 10, 26, 1, 30)


def test_ambiguous_local_time_takes_the_first_instant_in_new_york() -> None:
    series = expand(
        local("America/New_York", 2026, 10, 31, 1, 30), "FREQ=DAILY;COUNT=2", tz="America/New_York"
    )
    assert series[1].start == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert series[1].adjustment is LocalAdjustment.AMBIGUOUS_FIRST


def test_start_given_as_the_second_ambiguous_instant_is_kept() -> None:
    # Given the series starts at the SECOND 02:30 of Berlin's fall-back night (01:30Z)
    start = utc(2026, 10, 25, 1, 30)
    series = expand(start, "FREQ=DAILY;COUNT=2", tz="Europe/Berlin")
    # Then the first occurrence is exactly that instant, and the next day is 02:30 CET
    assert starts(series) == [start, utc(2026, 10, 26, 1, 30)]
    assert series[0].adjustment is LocalAdjustment.NONE


def test_fractions_of_a_second_are_kept_on_every_occurrence() -> None:
    start = utc(2026, 2, 2, 9) + timedelta(milliseconds=250)
    series = expand(start, "FREQ=DAILY;COUNT=3")
    assert [o.start.microsecond for o in series] == [250_000] * 3


def test_duration_is_elapsed_time_even_across_a_change() -> None:
    # Given a 3-hour booking from 01:00 local on the spring-forward night
    series = expand(
        local("Europe/Berlin", 2026, 3, 29, 1),
        "FREQ=DAILY;COUNT=1",
        tz="Europe/Berlin",
        duration=3 * HOUR,
    )
    # Then it lasts three real hours and ends at 05:00 local (04:00 on the wall before the change)
    assert series[0].window.duration == 3 * HOUR
    assert series[0].end == utc(2026, 3, 29, 3)


# ---------------------------------------------------------------- EXDATE, COUNT, UNTIL


def test_exdate_as_local_date_removes_that_day_and_renumbers() -> None:
    series = expand(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=5", exdates=[date(2026, 2, 3)])
    assert [o.local_date.day for o in series] == [2, 4, 5, 6]
    assert [o.index for o in series] == [0, 1, 2, 3]


def test_exdate_date_is_the_local_date_not_the_utc_date() -> None:
    # 23:30 local in New York is 04:30Z the next day; the EXDATE names the local date
    start = local("America/New_York", 2026, 2, 2, 23, 30)
    series = expand(start, "FREQ=DAILY;COUNT=3", tz="America/New_York", exdates=[date(2026, 2, 3)])
    assert [o.local_date for o in series] == [date(2026, 2, 2), date(2026, 2, 4)]


def test_exdate_as_datetime_with_offset_removes_that_occurrence() -> None:
    # 10:00+01:00 is 09:00Z, the second occurrence
    exdate = datetime(2026, 2, 3, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    series = expand(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=3", exdates=[exdate])
    assert starts(series) == [utc(2026, 2, 2, 9), utc(2026, 2, 4, 9)]


def test_exdate_at_another_time_of_day_removes_nothing() -> None:
    series = expand(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=3", exdates=[utc(2026, 2, 3, 10)])
    assert len(series) == 3


def test_naive_exdate_is_refused() -> None:
    error = invalid(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=3", exdates=[datetime(2026, 2, 3, 9)])
    assert error.code == "naive_datetime"


def test_until_date_in_the_rule_is_inclusive() -> None:
    series = expand(utc(2026, 2, 2, 9), "FREQ=WEEKLY;UNTIL=20260216")
    assert [o.local_date for o in series] == [date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 16)]


def test_until_in_utc_is_converted_to_the_zone() -> None:
    # Weekly 09:00 Berlin (08:00Z); UNTIL 08:00Z on the 16th includes that morning, 07:59Z not
    start = local("Europe/Berlin", 2026, 2, 2, 9)
    included = expand(start, "FREQ=WEEKLY;UNTIL=20260216T080000Z", tz="Europe/Berlin")
    excluded = expand(start, "FREQ=WEEKLY;UNTIL=20260216T075900Z", tz="Europe/Berlin")
    assert (len(included), len(excluded)) == (3, 2)


def test_floating_until_is_local_wall_clock() -> None:
    start = local("Europe/Berlin", 2026, 2, 2, 9)
    series = expand(start, "FREQ=WEEKLY;UNTIL=20260216T090000", tz="Europe/Berlin")
    assert len(series) == 3


def test_until_argument_as_date_or_instant() -> None:
    start = utc(2026, 2, 2, 9)
    assert len(expand(start, "FREQ=DAILY", until=date(2026, 2, 4))) == 3
    until = datetime(2026, 2, 4, 9, 59, tzinfo=timezone(timedelta(hours=1)))  # 08:59Z
    assert len(expand(start, "FREQ=DAILY", until=until)) == 2


def test_count_counts_before_exdates() -> None:
    series = expand(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=5", exdates=[date(2026, 2, 4)])
    assert len(series) == 4


@pytest.mark.parametrize(
    ("rule", "kwargs"),
    [
        ("FREQ=DAILY;COUNT=3;UNTIL=20260301", {}),
        ("FREQ=DAILY;COUNT=3", {"until": date(2026, 3, 1)}),
        ("FREQ=DAILY;UNTIL=20260301", {"until": date(2026, 3, 1)}),
    ],
)
def test_two_ends_are_refused(rule: str, kwargs: dict[str, Any]) -> None:
    assert invalid(utc(2026, 2, 2, 9), rule, **kwargs).code == "invalid_rrule"


def test_no_occurrence_left_is_a_rule_violation() -> None:
    with pytest.raises(RuleViolation) as caught:
        expand(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=1", exdates=[date(2026, 2, 2)])
    assert caught.value.code == "no_occurrences"


# ---------------------------------------------------------------- caps


def test_count_of_exactly_the_cap_is_allowed() -> None:
    assert len(expand(utc(2026, 2, 2, 9), f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}")) == 100


def test_count_above_the_cap_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        expand(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=101")
    assert caught.value.code == "too_many_occurrences"
    assert caught.value.details == {"max_occurrences": 100}


def test_exdates_can_bring_a_series_under_the_cap() -> None:
    exdates = [date(2026, 2, 2), date(2026, 2, 3)]
    series = expand(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=102", exdates=exdates)
    assert len(series) == 100


def test_long_until_is_refused_past_the_cap() -> None:
    with pytest.raises(RuleViolation) as caught:
        expand(utc(2026, 2, 2, 9), "FREQ=DAILY;UNTIL=20300101")
    assert caught.value.code == "too_many_occurrences"


def test_open_ended_rule_is_expanded_up_to_the_horizon() -> None:
    # Given no COUNT/UNTIL and a 90-day horizon, When expanding weekly, Then 13 weeks fit
    series = expand(NOW + HOUR, "FREQ=WEEKLY", horizon=timedelta(days=90))
    assert len(series) == 13
    assert series[-1].start <= NOW + timedelta(days=90)


def test_open_ended_rule_over_the_cap_within_the_horizon_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        expand(NOW + HOUR, "FREQ=DAILY", horizon=YEAR)
    assert caught.value.code == "too_many_occurrences"
    assert "within the booking horizon" in caught.value.message


# ---------------------------------------------------------------- bad rules


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=WEEKLY;BYDAY=XX", "invalid 'BYDAY': XX"),
        ("FREQ=WEEKLY;COUNT=abc", "invalid 'COUNT': ABC"),
        ("FREQ=FOO", "invalid 'FREQ': FOO"),
        ("COUNT=3", "FREQ is required"),
        ("garbage", "'garbage' is not NAME=VALUE"),
        ("", "the rule is empty"),
        ("RRULE:", "the rule is empty"),
        ("FREQ=WEEKLY;FOO=1", "unknown parameter 'FOO'"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        ("DTSTART:20260101T090000\nRRULE:FREQ=DAILY", "give one RRULE value"),
        ("FREQ=DAILY;BYHOUR=9,10", "BYHOUR is not supported with FREQ=DAILY"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY is not supported with FREQ=WEEKLY"),
        ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO is not supported with FREQ=MONTHLY"),
        ("FREQ=WEEKLY;UNTIL=2026", "invalid 'UNTIL': 2026"),
        ("FREQ=DAILY;INTERVAL=0;COUNT=2", "invalid 'INTERVAL': 0"),
        ("FREQ=DAILY;COUNT=0", "invalid 'COUNT': 0"),
        ("FREQ=YEARLY;BYMONTH=13", "invalid 'BYMONTH': 13"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "invalid 'BYMONTHDAY': 0"),
        ("FREQ=MONTHLY;BYMONTHDAY=-32", "invalid 'BYMONTHDAY': -32"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "invalid 'BYSETPOS': 0"),
    ],
)
def test_invalid_rule_text_reports_the_reason(rule: str, reason: str) -> None:
    error = invalid(utc(2026, 2, 2, 9), rule)
    assert error.code == "invalid_rrule"
    assert reason in error.details["reason"]
    assert error.message.startswith("The recurrence rule is not valid: ")


@pytest.mark.parametrize("freq", ["HOURLY", "MINUTELY", "SECONDLY"])
def test_frequencies_below_daily_are_refused(freq: str) -> None:
    error = invalid(utc(2026, 2, 2, 9), f"FREQ={freq};COUNT=3")
    assert error.code == "unsupported_frequency"
    assert error.details["allowed"] == ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]


def test_a_day_no_month_has_is_refused_quickly() -> None:
    # dateutil alone would search until year 9999 (seconds of CPU) for February 30th
    began = stopwatch.perf_counter()
    error = invalid(utc(2026, 2, 2, 9), "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    assert error.code == "invalid_rrule"
    assert stopwatch.perf_counter() - began < 0.5


def test_negative_month_day_counts_from_the_end() -> None:
    series = expand(utc(2026, 1, 1, 9), "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=2")
    assert [o.local_date for o in series] == [date(2026, 1, 31), date(2026, 2, 28)]


def test_rare_but_possible_day_is_accepted() -> None:
    rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=1"
    series = expand(utc(2026, 1, 1, 9), rule, horizon=3 * YEAR)
    assert series[0].local_date == date(2028, 2, 29)


def test_a_counted_series_past_the_horizon_is_refused() -> None:
    # Given a one-year horizon, When a COUNT rule's occurrence falls beyond it
    with pytest.raises(RuleViolation) as caught:
        expand(utc(2026, 1, 1, 9), "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=1")
    # Then the series is refused as a whole (its dates were never scanned to the year 9999)
    assert caught.value.code == "beyond_horizon"
    assert caught.value.details == {"horizon_days": 365}


def test_an_until_past_the_horizon_is_refused_even_when_sparse() -> None:
    with pytest.raises(RuleViolation) as caught:
        expand(utc(2026, 2, 2, 9), "FREQ=YEARLY;INTERVAL=5;UNTIL=20400101")
    assert caught.value.code == "beyond_horizon"


def test_an_until_just_past_the_horizon_with_no_occurrence_there_is_fine() -> None:
    # Weekly on Mondays; the horizon ends on Sunday morning, UNTIL that Sunday night
    series = expand(utc(2026, 1, 19, 9), "FREQ=WEEKLY;UNTIL=20260125", horizon=timedelta(days=10))
    assert [o.local_date for o in series] == [date(2026, 1, 19)]


def test_dates_far_from_today_keep_their_weekdays_and_leap_days() -> None:
    # The scan runs in a shifted calendar; every date must come back exactly
    series = expand(utc(2027, 12, 27, 9), "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=20", horizon=3 * YEAR)
    assert {o.local_start.weekday() for o in series} == {0, 3}
    leap = expand(utc(2028, 2, 28, 9), "FREQ=DAILY;COUNT=3", horizon=3 * YEAR)
    assert [o.local_date for o in leap] == [date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)]


def test_naive_start_is_refused() -> None:
    assert invalid(datetime(2026, 2, 2, 9), "FREQ=DAILY;COUNT=2").code == "naive_datetime"


def test_unknown_zone_is_refused() -> None:
    assert (
        invalid(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=2", tz="Nowhere/City").code
        == "invalid_timezone"
    )


def test_non_positive_duration_is_refused() -> None:
    error = invalid(utc(2026, 2, 2, 9), "FREQ=DAILY;COUNT=2", duration=timedelta(0))
    assert error.code == "invalid_duration"


def test_split_rule_reads_parts() -> None:
    assert split_rule(" RRULE:freq=weekly;byday=mo,we; ") == {"FREQ": "WEEKLY", "BYDAY": "MO,WE"}


# ---------------------------------------------------------------- the old simple form


@pytest.mark.parametrize(
    ("spec", "rule"),
    [
        ({"frequency": "daily", "end": {"count": 5}}, "FREQ=DAILY;COUNT=5"),
        (
            {"frequency": "weekly", "interval": 2, "days_of_week": [2, 0, 2], "end": {"count": 10}},
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=10",
        ),
        (
            {"frequency": "monthly", "interval": 1, "end": {"until": "2026-06-30"}},
            "FREQ=MONTHLY;UNTIL=20260630",
        ),
        (
            {
                "frequency": "daily",
                "days_of_week": [0, 1, 2, 3, 4],
                "end": {"until": date(2026, 3, 1)},
            },
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260301",
        ),
        ({"frequency": "weekly"}, "FREQ=WEEKLY"),
    ],
)
def test_simple_form_becomes_an_rrule(spec: dict[str, Any], rule: str) -> None:
    assert rrule_from_simple(spec) == rule


def test_simple_form_expands_like_the_old_product() -> None:
    # Given the old API's "weekdays until 2026-02-06" starting Monday 2026-02-02
    rule = rrule_from_simple(
        {"frequency": "daily", "days_of_week": [0, 1, 2, 3, 4], "end": {"until": "2026-02-06"}}
    )
    series = expand(local("Europe/Berlin", 2026, 2, 2, 9), rule, tz="Europe/Berlin")
    # Then the until date itself is booked
    assert [o.local_date.day for o in series] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"frequency": "yearly"}, "frequency"),
        ({}, "frequency"),
        ({"frequency": "daily", "interval": 0}, "interval"),
        ({"frequency": "daily", "interval": True}, "interval"),
        ({"frequency": "daily", "interval": "2"}, "interval"),
        ({"frequency": "weekly", "days_of_week": [7]}, "days_of_week"),
        ({"frequency": "weekly", "days_of_week": "MO"}, "days_of_week"),
        ({"frequency": "monthly", "days_of_week": [0]}, "days_of_week"),
        ({"frequency": "daily", "end": {"count": 3, "until": "2026-03-01"}}, "end"),
        ({"frequency": "daily", "end": {"after": 3}}, "end"),
        ({"frequency": "daily", "end": {"count": 0}}, "end.count"),
        ({"frequency": "daily", "end": {"until": "next week"}}, "end.until"),
        ({"frequency": "daily", "end": {"until": datetime(2026, 3, 1, tzinfo=UTC)}}, "end.until"),
    ],
)
def test_simple_form_errors_name_the_field(spec: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        rrule_from_simple(spec)
    assert caught.value.code == "invalid_recurrence"
    assert caught.value.details == {"field": field}
