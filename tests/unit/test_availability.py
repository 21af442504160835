"""Free intervals of a local day, the next free window, and the yes/no check."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.catalog.resources import (
    Blackout,
    BookingPolicy,
    BusinessHours,
    Maintenance,
    Resource,
)
from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.reservations import Reservation, ReservationStatus, TimeRange
from chalicelib.domain.reservations.availability import free_slots, is_free, next_available
from chalicelib.domain.reservations.booking_rules import check_booking
from chalicelib.domain.reservations.conflicts import find_conflicts
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

MONDAY = date(2026, 1, 19)
BERLIN = "Europe/Berlin"
YEAR = timedelta(days=365)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return local(BERLIN, day.year, day.month, day.day, hour, minute)


def slots(
    resource: Resource,
    day: date = MONDAY,
    *,
    hours: BusinessHours | None = None,
    blackouts: tuple[Blackout, ...] = (),
    reservations: tuple[Reservation, ...] = (),
    now: datetime = NOW,
    slot_minutes: int | None = None,
) -> list[TimeRange]:
    return free_slots(
        resource,
        day,
        hours=hours if hours is not None else make_hours(),
        blackouts=blackouts,
        reservations=reservations,
        now=now,
        slot_minutes=slot_minutes,
    )


def berlin_room(**policy: timedelta) -> Resource:
    return replace(make_resource(timezone=BERLIN), policy=BookingPolicy(**policy))


# ---------------------------------------------------------------- free_slots


def test_an_empty_day_is_free_during_opening_hours_in_the_resource_zone() -> None:
    assert slots(berlin_room()) == [window(berlin(MONDAY, 9), berlin(MONDAY, 17))]
    assert slots(berlin_room())[0].start == utc(2026, 1, 19, 8)


def test_reservations_split_the_day() -> None:
    booked = make_reservation(berlin(MONDAY, 10), berlin(MONDAY, 11))
    assert slots(berlin_room(), reservations=(booked,)) == [
        window(berlin(MONDAY, 9), berlin(MONDAY, 10)),
        window(berlin(MONDAY, 11), berlin(MONDAY, 17)),
    ]


def test_buffers_keep_before_plus_after_clear_on_both_sides() -> None:
    room = berlin_room(buffer_before=timedelta(minutes=10), buffer_after=timedelta(minutes=15))
    booked = make_reservation(berlin(MONDAY, 10), berlin(MONDAY, 11))
    assert slots(room, reservations=(booked,)) == [
        window(berlin(MONDAY, 9), berlin(MONDAY, 9, 35)),
        window(berlin(MONDAY, 11, 25), berlin(MONDAY, 17)),
    ]


def test_gaps_shorter_than_the_minimum_duration_are_not_free() -> None:
    # Given bookings leaving a 10-minute gap (minimum is 15)
    first = make_reservation(berlin(MONDAY, 9), berlin(MONDAY, 12))
    second = make_reservation(berlin(MONDAY, 12, 10), berlin(MONDAY, 17))
    assert slots(berlin_room(), reservations=(first, second)) == []


def test_released_reservations_do_not_block() -> None:
    cancelled = make_reservation(
        berlin(MONDAY, 9), berlin(MONDAY, 17), status=ReservationStatus.CANCELLED
    )
    assert len(slots(berlin_room(), reservations=(cancelled,))) == 1


def test_held_and_pending_reservations_block() -> None:
    held = make_reservation(berlin(MONDAY, 9), berlin(MONDAY, 13), status=ReservationStatus.HELD)
    pending = make_reservation(
        berlin(MONDAY, 13), berlin(MONDAY, 17), status=ReservationStatus.PENDING_APPROVAL
    )
    assert slots(berlin_room(), reservations=(held, pending)) == []


def test_the_past_and_the_notice_period_are_not_free() -> None:
    now = berlin(MONDAY, 12, 7)
    room = berlin_room(min_notice=timedelta(minutes=30))
    assert slots(room, now=now) == [window(berlin(MONDAY, 12, 37), berlin(MONDAY, 17))]


def test_a_past_day_has_nothing_free() -> None:
    assert slots(berlin_room(), date(2026, 1, 12)) == []


def test_a_day_beyond_the_horizon_has_nothing_free() -> None:
    assert slots(berlin_room(horizon=timedelta(days=2))) == []


def test_closed_days_blackouts_and_disabled_resources_have_nothing_free() -> None:
    room = berlin_room()
    assert slots(room, date(2026, 1, 18)) == []  # Sunday
    assert slots(room, blackouts=(make_blackout(MONDAY),)) == []
    assert slots(make_resource(timezone=BERLIN, enabled=False)) == []


def test_another_resources_blackout_does_not_matter() -> None:
    room = berlin_room()
    other = make_blackout(MONDAY, resource_id="someone-else")
    assert len(slots(room, blackouts=(other,))) == 1


def test_maintenance_cuts_the_day() -> None:
    maintenance = Maintenance(
        started_at=berlin(MONDAY, 13), reason="Repair", auto_reset_at=berlin(MONDAY, 15)
    )
    room = make_resource(timezone=BERLIN, maintenance=maintenance)
    assert slots(room) == [
        window(berlin(MONDAY, 9), berlin(MONDAY, 13)),
        window(berlin(MONDAY, 15), berlin(MONDAY, 17)),
    ]


def test_a_reservation_from_the_day_before_reaches_into_the_morning() -> None:
    overnight = make_reservation(berlin(date(2026, 1, 18), 20), berlin(MONDAY, 10))
    assert slots(berlin_room(), reservations=(overnight,))[0].start == berlin(MONDAY, 10)


def test_always_open_on_the_spring_forward_day_is_23_hours() -> None:
    day = date(2026, 3, 29)
    free = slots(berlin_room(horizon=YEAR), day, hours=always_open_hours())
    assert free == [window(berlin(day, 0), berlin(date(2026, 3, 30), 0))]
    assert free[0].duration == timedelta(hours=23)


def test_fixed_slots_sit_on_a_grid_from_the_opening_time() -> None:
    # Given 10:30-11:00 booked and it is 09:10
    booked = make_reservation(berlin(MONDAY, 10, 30), berlin(MONDAY, 11))
    free = slots(berlin_room(), reservations=(booked,), now=berlin(MONDAY, 9, 10), slot_minutes=60)
    # Then the hour slots that are wholly free are listed
    assert [s.start for s in free] == [berlin(MONDAY, h) for h in (11, 12, 13, 14, 15, 16)]
    assert all(s.duration == timedelta(hours=1) for s in free)


def test_fixed_slots_outside_the_allowed_durations_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        slots(berlin_room(), slot_minutes=10)
    assert caught.value.code == "invalid_slot_length"


# ---------------------------------------------------------------- next_available


def find_next(
    resource: Resource,
    minutes: int = 60,
    *,
    after: datetime,
    hours: BusinessHours | None = None,
    blackouts: tuple[Blackout, ...] = (),
    reservations: tuple[Reservation, ...] = (),
    search_days: int = 14,
) -> TimeRange | None:
    return next_available(
        resource,
        timedelta(minutes=minutes),
        after=after,
        hours=hours if hours is not None else make_hours(),
        blackouts=blackouts,
        reservations=reservations,
        now=NOW,
        search_days=search_days,
    )


def test_next_available_rounds_the_start_up_to_five_minutes() -> None:
    found = find_next(berlin_room(), after=berlin(MONDAY, 9, 2))
    assert found == window(berlin(MONDAY, 9, 5))


def test_next_available_skips_busy_time_and_buffers() -> None:
    room = berlin_room(buffer_after=timedelta(minutes=15))
    booked = make_reservation(berlin(MONDAY, 9), berlin(MONDAY, 12))
    found = find_next(room, 90, after=berlin(MONDAY, 9), reservations=(booked,))
    assert found == window(berlin(MONDAY, 12, 15), minutes=90)


def test_next_available_skips_the_weekend_and_blackouts() -> None:
    # Given it is Friday evening and Monday is a holiday
    found = find_next(
        berlin_room(), after=berlin(date(2026, 1, 16), 16, 30), blackouts=(make_blackout(MONDAY),)
    )
    assert found == window(berlin(date(2026, 1, 20), 9))


def test_next_available_may_cross_midnight_when_open_around_the_clock() -> None:
    # Given a 24/7 room booked until Monday 23:00 and again from Tuesday 01:00
    room = make_resource(timezone=BERLIN)
    evening = make_reservation(berlin(MONDAY, 8), berlin(MONDAY, 23))
    night = make_reservation(berlin(date(2026, 1, 20), 1), berlin(date(2026, 1, 20), 23))
    # When asking for two hours from Monday 08:00
    found = find_next(
        room, 120, after=berlin(MONDAY, 8), hours=always_open_hours(), reservations=(evening, night)
    )
    # Then the gap over midnight is found
    assert found == window(berlin(MONDAY, 23), minutes=120)


def test_next_available_gives_none_when_nothing_fits() -> None:
    assert find_next(berlin_room(), 9 * 60, after=berlin(MONDAY, 9)) is None  # 8-hour days
    room = berlin_room()
    assert find_next(room, after=berlin(date(2026, 1, 17), 9), search_days=2) is None  # weekend


def test_next_available_stops_at_the_horizon() -> None:
    room = berlin_room(horizon=timedelta(days=3))
    assert find_next(room, after=berlin(date(2026, 1, 17), 9)) is None


def test_next_available_refuses_a_duration_the_policy_forbids() -> None:
    with pytest.raises(RuleViolation) as caught:
        find_next(berlin_room(), 5, after=berlin(MONDAY, 9))
    assert caught.value.code == "duration_too_short"


def test_next_available_refuses_a_naive_after() -> None:
    with pytest.raises(InvalidInput):
        find_next(berlin_room(), after=datetime(2026, 1, 19, 9))


# ---------------------------------------------------------------- is_free


def check_free(resource: Resource, booking: TimeRange, *reservations: Reservation) -> bool:
    return is_free(
        booking,
        resource=resource,
        hours=make_hours(),
        blackouts=(),
        reservations=reservations,
        now=NOW,
    )


def test_is_free_when_rules_pass_and_nothing_conflicts() -> None:
    assert check_free(berlin_room(), window(berlin(MONDAY, 10)))


def test_is_not_free_when_booked_or_outside_the_rules() -> None:
    booked = make_reservation(berlin(MONDAY, 10), berlin(MONDAY, 11))
    assert not check_free(berlin_room(), window(berlin(MONDAY, 10, 30)), booked)
    assert not check_free(berlin_room(), window(berlin(MONDAY, 7)))
    assert not check_free(make_resource(timezone=BERLIN, enabled=False), window(berlin(MONDAY, 10)))


# ---------------------------------------------------------------- properties

_DAY_START = berlin(MONDAY, 0)


@st.composite
def day_reservations(draw: st.DrawFn) -> tuple[Reservation, ...]:
    """Up to 8 reservations around Monday (Berlin), any status, possibly overlapping."""
    found = []
    for _ in range(draw(st.integers(0, 8))):
        start = _DAY_START + timedelta(minutes=draw(st.integers(-300, 29 * 60)))
        length = timedelta(minutes=draw(st.integers(1, 600)))
        status = draw(st.sampled_from(list(ReservationStatus)))
        found.append(make_reservation(start, start + length, status=status))
    return tuple(found)


minutes = st.integers(0, 90).map(lambda m: timedelta(minutes=m))


@given(
    reservations=day_reservations(),
    before=minutes,
    after=minutes,
    notice=minutes,
    now_offset=st.integers(-600, 24 * 60),
    slot_minutes=st.sampled_from([None, 15, 30, 60]),
)
def test_free_slots_never_touch_a_reservation_and_are_bookable(
    reservations: tuple[Reservation, ...],
    before: timedelta,
    after: timedelta,
    notice: timedelta,
    now_offset: int,
    slot_minutes: int | None,
) -> None:
    room = berlin_room(buffer_before=before, buffer_after=after, min_notice=notice)
    now = _DAY_START + timedelta(minutes=now_offset)
    hours = make_hours("07:30", "19:00")
    free = slots(room, hours=hours, reservations=reservations, now=now, slot_minutes=slot_minutes)
    for slot in free:
        assert find_conflicts(slot, reservations, buffer_before=before, buffer_after=after) == [], (
            slot
        )
        bookable = TimeRange(slot.start, min(slot.end, slot.start + room.policy.max_duration))
        assert check_booking(room, bookable, now=now, hours=hours, blackouts=()) == []
    assert all(a.end <= b.start for a, b in pairwise(free))


@given(
    reservations=day_reservations(),
    after=minutes,
    duration=st.integers(15, 240),
    start_offset=st.integers(-600, 36 * 60),
)
def test_next_available_is_always_free(
    reservations: tuple[Reservation, ...], after: timedelta, duration: int, start_offset: int
) -> None:
    room = berlin_room(buffer_after=after)
    start = _DAY_START + timedelta(minutes=start_offset)
    found = next_available(
        room,
        timedelta(minutes=duration),
        after=start,
        hours=make_hours("07:30", "19:00"),
        blackouts=(),
        reservations=reservations,
        now=NOW,
        search_days=3,
    )
    if found is not None:
        assert found.start >= start
        assert found.duration == timedelta(minutes=duration)
        assert is_free(
            found,
            resource=room,
            hours=make_hours("07:30", "19:00"),
            blackouts=(),
            reservations=reservations,
            now=NOW,
        )
