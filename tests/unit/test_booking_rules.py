"""check_booking: every rule, its order, its message and details, and the admin override."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.catalog.resources import (
    MAX_RESERVATION_SPAN,
    Blackout,
    BusinessHours,
    Maintenance,
    Resource,
)
from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.booking_rules import (
    OVERRIDE_BLACKOUTS,
    OVERRIDE_BUSINESS_HOURS,
    check_booking,
    human_duration,
    validate_window_input,
)
from tests.unit.booking_factories import (
    NOW,
    local,
    make_blackout,
    make_hours,
    make_resource,
    merge_hours,
    utc,
    window,
)

# Monday 2026-01-19, the Monday after NOW.
MONDAY = date(2026, 1, 19)


def refused(
    resource: Resource,
    booking: TimeRange,
    *,
    hours: BusinessHours | None = None,
    blackouts: tuple[Blackout, ...] = (),
    now: datetime = NOW,
) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        check_booking(resource, booking, now=now, hours=hours, blackouts=blackouts)
    error = caught.value
    # Issue 13: every failed rule is listed; the first is the error's own code and details.
    details = dict(error.details)
    listed = details.pop("violations")
    assert listed[0]["code"] == error.code
    assert {k: v for k, v in listed[0].items() if k not in ("rule", "code", "message")} == details
    return RuleViolation(error.message, code=error.code, details=details)


def allowed(
    resource: Resource,
    booking: TimeRange,
    *,
    hours: BusinessHours | None = None,
    blackouts: tuple[Blackout, ...] = (),
    override: bool = False,
) -> list[str]:
    return check_booking(
        resource, booking, now=NOW, hours=hours, blackouts=blackouts, override=override
    )


# ---------------------------------------------------------------- validate_window_input


def test_naive_start_is_refused_as_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_window_input(datetime(2026, 2, 1, 9), utc(2026, 2, 1, 10))
    assert caught.value.code == "naive_datetime"
    assert caught.value.details == {"field": "start_time"}


def test_naive_end_is_refused_as_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_window_input(utc(2026, 2, 1, 9), datetime(2026, 2, 1, 10))
    assert caught.value.details == {"field": "end_time"}


@pytest.mark.parametrize("end_minutes", [0, -30])
def test_end_not_after_start_is_an_empty_range(end_minutes: int) -> None:
    start = utc(2026, 2, 1, 9)
    with pytest.raises(InvalidInput) as caught:
        validate_window_input(start, start + timedelta(minutes=end_minutes))
    assert caught.value.code == "empty_range"


def test_offsets_other_than_z_are_converted_to_utc() -> None:
    # Given a start in India (+05:30) and an end in Brazil (-03:00)
    start = datetime(2026, 2, 1, 14, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    end = datetime(2026, 2, 1, 7, 0, tzinfo=timezone(timedelta(hours=-3)))
    # When validated
    result = validate_window_input(start, end)
    # Then both are the same instants in UTC
    assert result == TimeRange(utc(2026, 2, 1, 9), utc(2026, 2, 1, 10))
    assert result.start.tzinfo is UTC


def test_end_before_start_only_after_offsets_are_applied_is_refused() -> None:
    # 10:00+02:00 is 08:00Z, before 09:00Z: the wall-clock digits alone would look fine
    start = utc(2026, 2, 1, 9)
    end = datetime(2026, 2, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    with pytest.raises(InvalidInput):
        validate_window_input(start, end)


# ---------------------------------------------------------------- resource state


def test_disabled_resource_is_refused_first() -> None:
    # Given a disabled resource and a window that also breaks later rules (in the past)
    resource = make_resource(enabled=False)
    # When / Then the first rule in the order fires
    error = refused(resource, window(NOW - timedelta(days=1)))
    assert error.code == "resource_disabled"
    assert error.message == "Room 1 is disabled and cannot be booked"


def test_maintenance_overlapping_the_window_is_refused_before_time_rules() -> None:
    maintenance = Maintenance(
        started_at=NOW - timedelta(hours=1), reason="Projector repair", auto_reset_at=None
    )
    resource = make_resource(maintenance=maintenance, min_notice=timedelta(days=1))
    error = refused(resource, window(NOW + timedelta(hours=2)))
    assert error.code == "resource_in_maintenance"
    assert "until further notice" in error.message
    assert error.details["reason"] == "Projector repair"
    assert error.details["until"] is None


def test_maintenance_with_auto_reset_blocks_only_until_the_reset() -> None:
    reset = NOW + timedelta(hours=8)
    resource = make_resource(
        maintenance=Maintenance(started_at=NOW, reason="Cleaning", auto_reset_at=reset)
    )
    # A window ending at the reset overlaps; one starting at the reset does not (half-open).
    error = refused(resource, window(reset - timedelta(hours=1), reset))
    assert error.details["until"] == "2026-01-15T16:00:00.000Z"
    assert allowed(resource, window(reset)) == []


def test_future_maintenance_blocks_windows_after_it_starts_only() -> None:
    start = NOW + timedelta(days=2)
    resource = make_resource(
        maintenance=Maintenance(started_at=start, reason="Painting", auto_reset_at=None)
    )
    assert allowed(resource, window(start - timedelta(hours=1), start)) == []
    assert refused(resource, window(start + timedelta(days=30))).code == "resource_in_maintenance"


# ---------------------------------------------------------------- timing


def test_start_in_the_past_is_refused() -> None:
    error = refused(make_resource(), window(NOW - timedelta(minutes=1)))
    assert error.code == "start_in_past"
    assert error.details["now"] == "2026-01-15T08:00:00.000Z"


def test_start_exactly_now_is_allowed_without_notice() -> None:
    assert allowed(make_resource(), window(NOW)) == []


def test_insufficient_notice_names_the_earliest_start() -> None:
    resource = make_resource(min_notice=timedelta(minutes=30))
    error = refused(resource, window(NOW + timedelta(minutes=29)))
    assert error.code == "insufficient_notice"
    assert error.message == "Bookings for Room 1 must start at least 30 minutes ahead"
    assert error.details == {
        "min_notice_seconds": 1800,
        "earliest_start": "2026-01-15T08:30:00.000Z",
    }
    assert allowed(resource, window(NOW + timedelta(minutes=30))) == []


def test_beyond_the_horizon_is_refused_and_the_limit_itself_is_allowed() -> None:
    resource = make_resource(horizon=timedelta(days=30))
    limit = NOW + timedelta(days=30)
    error = refused(resource, window(limit + timedelta(minutes=1)))
    assert error.code == "beyond_horizon"
    assert error.message == "Bookings for Room 1 may start at most 30 days ahead"
    assert error.details["latest_start"] == "2026-02-14T08:00:00.000Z"
    assert allowed(resource, window(limit)) == []


# ---------------------------------------------------------------- duration


def test_too_short_is_refused_with_the_minimum() -> None:
    error = refused(make_resource(), window(NOW, minutes=14))
    assert error.code == "duration_too_short"
    assert error.message == "Bookings for Room 1 must last at least 15 minutes"
    assert error.details == {"min_duration_seconds": 900, "duration_seconds": 840}


def test_too_long_is_refused_with_the_maximum() -> None:
    resource = make_resource(max_duration=timedelta(hours=2))
    error = refused(resource, window(NOW, minutes=121))
    assert error.code == "duration_too_long"
    assert error.message == "Bookings for Room 1 may last at most 2 hours"
    assert allowed(resource, window(NOW, minutes=120)) == []


def test_policy_maximum_is_capped_by_the_store_span() -> None:
    # Given a policy that would allow 30 days, more than the store's overlap query can see
    resource = make_resource(max_duration=timedelta(days=30))
    error = refused(resource, window(NOW, NOW + MAX_RESERVATION_SPAN + timedelta(minutes=1)))
    assert error.code == "duration_too_long"
    assert error.details["max_duration_seconds"] == int(MAX_RESERVATION_SPAN.total_seconds())


# ---------------------------------------------------------------- business hours


def test_window_inside_hours_is_allowed_in_the_resource_zone() -> None:
    # Given 09:00-17:00 Berlin hours; in winter Berlin is UTC+1
    resource = make_resource(timezone="Europe/Berlin")
    hours = make_hours("09:00", "17:00")
    # When booking 09:00-17:00 Berlin time, given as UTC
    booking = window(utc(2026, 1, 19, 8), utc(2026, 1, 19, 16))
    # Then it fits exactly
    assert allowed(resource, booking, hours=hours) == []


def test_same_utc_window_is_outside_hours_for_a_utc_resource() -> None:
    resource = make_resource(timezone="UTC")
    error = refused(resource, window(utc(2026, 1, 19, 8)), hours=make_hours())
    assert error.code == "outside_business_hours"
    assert error.details == {
        "date": "2026-01-19",
        "weekday": "Monday",
        "timezone": "UTC",
        "opens": "09:00",
        "closes": "17:00",
    }
    assert error.message == (
        "Room 1 is open 09:00-17:00 on Monday 2026-01-19 (UTC); "
        "the booking must lie within those hours"
    )


def test_hours_follow_summer_time() -> None:
    # Given Berlin in July (UTC+2): 09:00 local is 07:00 UTC
    resource = make_resource(timezone="Europe/Berlin", horizon=timedelta(days=365))
    hours = make_hours()
    assert allowed(resource, window(utc(2026, 7, 6, 7)), hours=hours) == []
    assert refused(resource, window(utc(2026, 7, 6, 6)), hours=hours).code == (
        "outside_business_hours"
    )


def test_end_one_minute_after_closing_is_refused() -> None:
    resource = make_resource()
    hours = make_hours()
    assert allowed(resource, window(utc(2026, 1, 19, 16), utc(2026, 1, 19, 17)), hours=hours) == []
    error = refused(resource, window(utc(2026, 1, 19, 16), utc(2026, 1, 19, 17, 1)), hours=hours)
    assert error.code == "outside_business_hours"


def test_closed_weekday_says_closed() -> None:
    # Sunday 2026-01-18 is not in the Monday-Friday hours
    error = refused(make_resource(), window(utc(2026, 1, 18, 10)), hours=make_hours())
    assert error.message == "Room 1 is closed on Sunday 2026-01-18 (UTC)"
    assert error.details["opens"] is None
    assert error.details["closes"] is None


def test_no_hours_means_always_open() -> None:
    assert allowed(make_resource(), window(utc(2026, 1, 18, 3)), hours=None) == []


def test_window_crossing_midnight_needs_24_00_and_00_00() -> None:
    # Given a resource open around the clock on Monday and Tuesday
    resource = make_resource(timezone="America/New_York")
    hours = make_hours("00:00", "24:00", weekdays=[0, 1])
    # When booking Monday 22:00 to Tuesday 02:00 New York time
    booking = window(local("America/New_York", 2026, 1, 19, 22), minutes=240)
    # Then it is allowed
    assert allowed(resource, booking, hours=hours) == []


def test_window_crossing_midnight_is_refused_when_the_first_day_closes_earlier() -> None:
    resource = make_resource()
    hours = merge_hours(
        make_hours("08:00", "23:00", weekdays=[0]), make_hours("00:00", "24:00", weekdays=[1])
    )
    error = refused(resource, window(utc(2026, 1, 19, 22), minutes=240), hours=hours)
    assert error.details["date"] == "2026-01-19"
    assert error.details["closes"] == "23:00"


def test_window_crossing_midnight_is_refused_when_the_next_day_opens_later() -> None:
    resource = make_resource()
    hours = merge_hours(
        make_hours("00:00", "24:00", weekdays=[0]), make_hours("01:00", "24:00", weekdays=[1])
    )
    error = refused(resource, window(utc(2026, 1, 19, 22), minutes=240), hours=hours)
    assert error.details["date"] == "2026-01-20"
    assert error.details["opens"] == "01:00"


def test_window_ending_exactly_at_midnight_does_not_touch_the_next_day() -> None:
    # Given Monday open until 24:00 and Tuesday closed
    hours = make_hours("18:00", "24:00", weekdays=[0])
    booking = window(utc(2026, 1, 19, 22), utc(2026, 1, 20, 0))
    assert allowed(make_resource(), booking, hours=hours) == []


def test_hours_on_the_spring_forward_day_are_wall_clock() -> None:
    # Given Berlin switches to summer time on Sunday 2026-03-29 (02:00 -> 03:00)
    resource = make_resource(timezone="Europe/Berlin", horizon=timedelta(days=365))
    hours = make_hours("00:00", "24:00", weekdays=[6])
    # When booking the whole 23-hour local day
    day = window(local("Europe/Berlin", 2026, 3, 29), local("Europe/Berlin", 2026, 3, 30))
    assert day.duration == timedelta(hours=23)
    # Then it is inside the hours, and one minute more is not
    assert allowed(resource, day, hours=hours) == []
    longer = window(day.start, day.end + timedelta(minutes=1))
    assert refused(resource, longer, hours=hours).details["date"] == "2026-03-30"


def test_hours_on_the_fall_back_day_allow_the_25_hour_day() -> None:
    resource = make_resource(
        timezone="America/New_York", horizon=timedelta(days=365), max_duration=timedelta(days=2)
    )
    hours = make_hours("00:00", "24:00", weekdays=[6])
    day = window(local("America/New_York", 2026, 11, 1), local("America/New_York", 2026, 11, 2))
    assert day.duration == timedelta(hours=25)
    assert allowed(resource, day, hours=hours) == []


# ---------------------------------------------------------------- blackouts


def test_blackout_date_is_refused_with_reason_and_dates() -> None:
    resource = make_resource()
    christmas = make_blackout(date(2026, 1, 19), date(2026, 1, 21), reason="Office closed")
    error = refused(resource, window(utc(2026, 1, 20, 10)), blackouts=(christmas,))
    assert error.code == "blackout_date"
    assert error.message == "Room 1 cannot be booked from 2026-01-19 to 2026-01-21: Office closed"
    assert error.details == {
        "blackout_id": christmas.blackout_id,
        "reason": "Office closed",
        "start_date": "2026-01-19",
        "end_date": "2026-01-21",
        "date": "2026-01-20",
        "scope": "global",
    }


def test_resource_blackout_applies_and_another_resources_does_not() -> None:
    resource = make_resource(resource_id="room-1")
    mine = make_blackout(MONDAY, resource_id="room-1", reason="Renovation")
    theirs = make_blackout(date(2026, 1, 20), resource_id="room-2")
    error = refused(resource, window(utc(2026, 1, 19, 10)), blackouts=(mine, theirs))
    assert error.details["scope"] == "resource"
    assert error.message == "Room 1 cannot be booked on 2026-01-19: Renovation"
    assert allowed(resource, window(utc(2026, 1, 20, 10)), blackouts=(mine, theirs)) == []


def test_blackout_edges_are_local_midnights() -> None:
    # Given a Berlin resource and a blackout on Monday 2026-01-19 (Berlin date)
    resource = make_resource(timezone="Europe/Berlin")
    blackouts = (make_blackout(MONDAY),)
    # Then a window ending at Berlin midnight before it is fine ...
    before = window(local("Europe/Berlin", 2026, 1, 18, 23), local("Europe/Berlin", 2026, 1, 19))
    assert allowed(resource, before, blackouts=blackouts) == []
    # ... one starting at Berlin midnight after it is fine ...
    after = window(local("Europe/Berlin", 2026, 1, 20))
    assert allowed(resource, after, blackouts=blackouts) == []
    # ... but 23:30 UTC on the 18th is 00:30 on the 19th in Berlin
    error = refused(resource, window(utc(2026, 1, 18, 23, 30)), blackouts=blackouts)
    assert error.code == "blackout_date"


def test_window_spanning_into_a_blackout_is_refused() -> None:
    blackouts = (make_blackout(date(2026, 1, 20)),)
    booking = window(utc(2026, 1, 19, 20), minutes=5 * 60)
    error = refused(make_resource(), booking, blackouts=blackouts)
    assert error.details["date"] == "2026-01-20"


# ---------------------------------------------------------------- order and override


def test_business_hours_are_checked_before_blackouts() -> None:
    blackouts = (make_blackout(date(2026, 1, 18)),)
    error = refused(
        make_resource(), window(utc(2026, 1, 18, 10)), hours=make_hours(), blackouts=blackouts
    )
    assert error.code == "outside_business_hours"


def test_admin_override_skips_hours_and_blackouts_and_reports_both() -> None:
    blackouts = (make_blackout(date(2026, 1, 18)),)
    applied = allowed(
        make_resource(),
        window(utc(2026, 1, 18, 10)),
        hours=make_hours(),
        blackouts=blackouts,
        override=True,
    )
    assert applied == [OVERRIDE_BUSINESS_HOURS, OVERRIDE_BLACKOUTS]
    assert applied == ["business_hours", "blackouts"]


def test_admin_override_reports_only_what_it_bypassed() -> None:
    applied = allowed(
        make_resource(), window(utc(2026, 1, 19, 10)), hours=make_hours(), override=True
    )
    assert applied == []
    weekend = allowed(
        make_resource(), window(utc(2026, 1, 18, 10)), hours=make_hours(), override=True
    )
    assert weekend == ["business_hours"]


@pytest.mark.parametrize(
    ("resource", "booking", "code"),
    [
        (make_resource(enabled=False), window(NOW + timedelta(hours=1)), "resource_disabled"),
        (make_resource(), window(NOW - timedelta(hours=1)), "start_in_past"),
        (
            make_resource(min_notice=timedelta(hours=2)),
            window(NOW + timedelta(hours=1)),
            "insufficient_notice",
        ),
        (make_resource(), window(NOW + timedelta(days=400)), "beyond_horizon"),
        (make_resource(), window(NOW + timedelta(hours=1), minutes=5), "duration_too_short"),
        (make_resource(), window(NOW + timedelta(hours=1), minutes=25 * 60), "duration_too_long"),
    ],
)
def test_admin_override_does_not_skip_other_rules(
    resource: Resource, booking: TimeRange, code: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        check_booking(resource, booking, now=NOW, hours=None, blackouts=(), override=True)
    assert caught.value.code == code


def test_window_given_in_a_local_zone_is_judged_by_its_instants() -> None:
    # Given a window whose endpoints carry the Berlin zone itself (not UTC): on the spring-forward
    # day 00:00-23:30 local is 22.5 hours, although the wall clocks differ by 23.5
    zone = ZoneInfo("Europe/Berlin")
    booking = TimeRange(
        datetime(2026, 3, 29, 0, tzinfo=zone), datetime(2026, 3, 29, 23, 30, tzinfo=zone)
    )
    resource = make_resource(
        timezone="Europe/Berlin", horizon=timedelta(days=365), max_duration=timedelta(hours=23)
    )
    # When checked, Then the elapsed duration counts and the 23-hour maximum is not exceeded
    assert allowed(resource, booking) == []


def test_unknown_time_zone_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        allowed(make_resource(timezone="Mars/Olympus"), window(NOW))
    assert caught.value.code == "invalid_timezone"


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(days=365), "365 days"),
        (timedelta(days=1, hours=2), "1 day 2 hours"),
        (timedelta(seconds=30), "30 seconds"),
    ],
)
def test_human_duration(span: timedelta, text: str) -> None:
    assert human_duration(span) == text


def test_every_failed_rule_is_listed_in_one_error() -> None:
    # Given a disabled resource, a window in the past that is also too short
    resource = make_resource(enabled=False)
    start = NOW - timedelta(days=1)
    with pytest.raises(RuleViolation) as caught:
        check_booking(
            resource,
            TimeRange(start, start + timedelta(minutes=1)),
            now=NOW,
            hours=None,
            blackouts=(),
        )
    # Then all three are named, first one's code on the error
    codes = [v["code"] for v in caught.value.details["violations"]]
    assert codes == ["resource_disabled", "start_in_past", "duration_too_short"]
    assert caught.value.code == "resource_disabled"
