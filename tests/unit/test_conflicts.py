"""Conflicts: half-open overlap, occupying statuses, buffers, series, query window, UTC days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.reservations import OCCUPYING, ReservationStatus, TimeRange
from chalicelib.domain.reservations.conflicts import (
    conflict_summary,
    find_conflicts,
    find_internal_overlaps,
    find_series_conflicts,
    in_conflict,
    occupied,
    query_window,
    series_utc_days,
    utc_days,
)
from tests.unit.booking_factories import make_reservation, utc, window

TEN = utc(2026, 3, 2, 10)
MINUTE = timedelta(minutes=1)
BEFORE, AFTER = timedelta(minutes=10), timedelta(minutes=15)


# ---------------------------------------------------------------- plain overlap


def test_back_to_back_bookings_do_not_conflict() -> None:
    existing = [make_reservation(TEN, minutes=60)]
    assert find_conflicts(window(TEN + timedelta(hours=1)), existing) == []
    assert find_conflicts(window(TEN - timedelta(hours=1)), existing) == []


@pytest.mark.parametrize(
    "candidate",
    [
        window(TEN + timedelta(minutes=59)),  # overlaps the last minute
        window(TEN - timedelta(minutes=59)),  # overlaps the first minute
        window(TEN + timedelta(minutes=10), minutes=10),  # inside
        window(TEN - timedelta(hours=1), minutes=180),  # around
        window(TEN),  # identical
    ],
)
def test_any_shared_instant_is_a_conflict(candidate: TimeRange) -> None:
    existing = make_reservation(TEN, minutes=60)
    assert find_conflicts(candidate, [existing]) == [existing]


@pytest.mark.parametrize("status", sorted(OCCUPYING))
def test_occupying_statuses_conflict(status: ReservationStatus) -> None:
    existing = make_reservation(TEN, status=status)
    assert find_conflicts(window(TEN), [existing]) == [existing]


@pytest.mark.parametrize("status", sorted(set(ReservationStatus) - OCCUPYING))
def test_released_statuses_do_not_conflict(status: ReservationStatus) -> None:
    assert find_conflicts(window(TEN), [make_reservation(TEN, status=status)]) == []


def test_ignored_ids_are_left_out() -> None:
    # Given the reservation being rescheduled and another one
    own = make_reservation(TEN, reservation_id="own")
    other = make_reservation(TEN + timedelta(minutes=30), reservation_id="other")
    # When moving "own" by 15 minutes, Then only the other one is in the way
    assert find_conflicts(
        window(TEN + timedelta(minutes=15)), [own, other], ignore_ids={"own"}
    ) == [other]


def test_conflicts_are_listed_earliest_first() -> None:
    late = make_reservation(TEN + timedelta(minutes=40), minutes=30)
    early = make_reservation(TEN - timedelta(minutes=20), minutes=30)
    assert find_conflicts(window(TEN, minutes=60), [late, early]) == [early, late]


def test_offsets_other_than_utc_compare_as_instants() -> None:
    # The old product dropped offsets. 15:30+05:30 and 07:00-03:00 are both 10:00Z.
    india = datetime(2026, 3, 2, 15, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    brazil = datetime(2026, 3, 2, 7, 0, tzinfo=timezone(timedelta(hours=-3)))
    existing = make_reservation(india, minutes=60)
    assert find_conflicts(window(brazil, minutes=30), [existing]) == [existing]
    assert find_conflicts(window(brazil + timedelta(hours=1)), [existing]) == []


def test_windows_in_a_local_zone_compare_as_instants_across_fall_back() -> None:
    # Given endpoints that carry the Berlin zone itself. On 2026-10-25 the hour 02:00-03:00
    # happens twice: 02:30 (fold=0) is 00:30Z, 02:40 (fold=1) is 01:40Z. Python compares two
    # datetimes of the same zone by wall clock, so they would seem to overlap.
    berlin = ZoneInfo("Europe/Berlin")
    existing = make_reservation(
        datetime(2026, 10, 25, 2, 30, tzinfo=berlin), datetime(2026, 10, 25, 2, 59, tzinfo=berlin)
    )
    candidate = TimeRange(
        datetime(2026, 10, 25, 2, 40, fold=1, tzinfo=berlin),
        datetime(2026, 10, 25, 3, 10, tzinfo=berlin),
    )
    # Then they do not conflict: 00:30Z-00:59Z and 01:40Z-02:10Z
    assert find_conflicts(candidate, [existing]) == []
    assert utc_days(candidate) == [date(2026, 10, 25)]


# ---------------------------------------------------------------- buffers


def test_buffers_widen_both_sides_by_before_plus_after() -> None:
    # Given 10 min set-up before and 15 min clean-up after every booking, and 10:00-11:00 booked
    existing = [make_reservation(TEN, minutes=60)]
    # Then a later booking needs 11:00 + 15 (its clean-up) + 10 (the next set-up) = 11:25
    assert (
        find_conflicts(
            window(TEN + timedelta(minutes=84)), existing, buffer_before=BEFORE, buffer_after=AFTER
        )
        != []
    )
    assert (
        find_conflicts(
            window(TEN + timedelta(minutes=85)), existing, buffer_before=BEFORE, buffer_after=AFTER
        )
        == []
    )
    # And an earlier booking must end by 10:00 - 10 - 15 = 09:35
    assert (
        find_conflicts(
            window(TEN - timedelta(minutes=85)), existing, buffer_before=BEFORE, buffer_after=AFTER
        )
        == []
    )
    assert (
        find_conflicts(
            window(TEN - timedelta(minutes=84)), existing, buffer_before=BEFORE, buffer_after=AFTER
        )
        != []
    )


def test_occupied_range_adds_set_up_and_clean_up() -> None:
    busy = occupied(window(TEN), buffer_before=BEFORE, buffer_after=AFTER)
    assert busy == TimeRange(TEN - timedelta(minutes=10), TEN + timedelta(minutes=75))


def test_negative_buffers_are_refused() -> None:
    with pytest.raises(InvalidInput):
        occupied(window(TEN), buffer_before=-MINUTE)


# ---------------------------------------------------------------- series


def test_series_conflicts_map_occurrence_index_to_reservations() -> None:
    # Given three daily occurrences and a booking on the second day
    candidates = [window(TEN + timedelta(days=n)) for n in range(3)]
    blocker = make_reservation(TEN + timedelta(days=1, minutes=30))
    # When checking the series
    found = find_series_conflicts(candidates, [blocker, make_reservation(TEN + timedelta(days=9))])
    # Then only occurrence 1 is in conflict
    assert found == {1: [blocker]}


def test_series_without_conflicts_maps_nothing() -> None:
    candidates = [window(TEN + timedelta(days=n)) for n in range(3)]
    assert find_series_conflicts(candidates, []) == {}


def test_series_overlapping_itself_is_refused() -> None:
    # Given occurrences 10:00-11:00 and 11:10-12:10 with 25 minutes of buffers between them
    candidates = [window(TEN), window(TEN + timedelta(minutes=70)), window(TEN + timedelta(days=1))]
    with pytest.raises(RuleViolation) as caught:
        find_series_conflicts(candidates, [], buffer_before=BEFORE, buffer_after=AFTER)
    assert caught.value.code == "series_self_overlap"
    assert caught.value.details["occurrences"] == [0, 1]
    # Without buffers they fit
    assert find_series_conflicts(candidates, []) == {}


def test_internal_overlaps_list_every_pair_in_any_input_order() -> None:
    candidates = [
        window(TEN + timedelta(minutes=30)),
        window(TEN + timedelta(days=1)),
        window(TEN),
        window(TEN + timedelta(minutes=45)),
    ]
    assert find_internal_overlaps(candidates) == [(0, 2), (0, 3), (2, 3)]


# ---------------------------------------------------------------- the store's reads and locks


def test_query_window_reaches_back_by_the_longest_reservation_and_the_buffers() -> None:
    candidate = window(TEN)
    starts = query_window(candidate, buffer_before=BEFORE, buffer_after=AFTER)
    reach = timedelta(minutes=25)
    assert starts == TimeRange(TEN - reach - MAX_RESERVATION_SPAN, TEN + timedelta(hours=1) + reach)


def test_utc_days_of_a_window_inside_one_day() -> None:
    assert utc_days(window(TEN)) == [date(2026, 3, 2)]


def test_utc_days_of_a_window_ending_at_midnight_excludes_the_next_day() -> None:
    assert utc_days(window(utc(2026, 3, 2, 23), utc(2026, 3, 3))) == [date(2026, 3, 2)]


def test_utc_days_follow_utc_not_the_given_offset() -> None:
    # 23:30 on the 2nd at -03:00 is 02:30Z on the 3rd
    start = datetime(2026, 3, 2, 23, 30, tzinfo=timezone(timedelta(hours=-3)))
    assert utc_days(window(start)) == [date(2026, 3, 3)]


def test_utc_days_include_the_buffers() -> None:
    # Given a booking at 00:05Z with 10 minutes of set-up, Then the day before is touched too
    assert utc_days(window(utc(2026, 3, 2, 0, 5)), buffer_before=BEFORE, buffer_after=AFTER) == [
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]


def test_utc_days_of_a_week_long_booking() -> None:
    days = utc_days(window(utc(2026, 3, 2, 12), utc(2026, 3, 9, 12)))
    assert days == [date(2026, 3, 2) + timedelta(days=n) for n in range(8)]


def test_series_utc_days_are_the_sorted_union() -> None:
    windows = [window(utc(2026, 3, 4, 10)), window(utc(2026, 3, 2, 23), minutes=120), window(TEN)]
    assert series_utc_days(windows) == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]


def test_conflict_summary_shows_only_id_and_times() -> None:
    existing = make_reservation(TEN, reservation_id="r-1")
    assert conflict_summary([existing]) == [
        {
            "reservation_id": "r-1",
            "start_time": "2026-03-02T10:00:00.000Z",
            "end_time": "2026-03-02T11:00:00.000Z",
        }
    ]


# ---------------------------------------------------------------- properties

_ZONES: list[tzinfo] = [
    UTC,
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=-3)),
    timezone(timedelta(hours=14)),
]
_ORIGIN = utc(2026, 1, 1)


_SPAN_SECONDS = int(MAX_RESERVATION_SPAN.total_seconds())


def _expressed(start: datetime, end: datetime, zone: tzinfo) -> TimeRange:
    return TimeRange(start.astimezone(zone), end.astimezone(zone))


@st.composite
def windows(draw: st.DrawFn) -> TimeRange:
    """Windows anywhere in two years, up to the longest span, with endpoints in varied offsets."""
    start = _ORIGIN + timedelta(seconds=draw(st.integers(0, 2 * 365 * 24 * 3600)))
    length = timedelta(seconds=draw(st.integers(1, _SPAN_SECONDS)))
    return _expressed(start, start + length, draw(st.sampled_from(_ZONES)))


@st.composite
def near_pairs(draw: st.DrawFn) -> tuple[TimeRange, TimeRange]:
    """Two windows starting within ~8 days of each other, or near the first one's end."""
    a = draw(windows())
    anchor = draw(st.sampled_from([a.start, a.end]))
    shift = draw(
        st.one_of(
            st.integers(-_SPAN_SECONDS - 86400, _SPAN_SECONDS + 86400),
            st.integers(-6 * 3600, 6 * 3600),  # near the boundary, where buffers decide
        )
    )
    start = anchor + timedelta(seconds=shift)
    length = timedelta(seconds=draw(st.one_of(st.integers(1, 7200), st.integers(1, _SPAN_SECONDS))))
    return a, _expressed(start, start + length, draw(st.sampled_from(_ZONES)))


buffers = st.integers(0, 180).map(lambda m: timedelta(minutes=m))


@given(pair=near_pairs(), before=buffers, after=buffers)
def test_conflicting_bookings_always_share_a_utc_day(
    pair: tuple[TimeRange, TimeRange], before: timedelta, after: timedelta
) -> None:
    a, b = pair
    widen = {"buffer_before": before, "buffer_after": after}
    event("conflict" if in_conflict(a, b, **widen) else "apart")
    if in_conflict(a, b, **widen):
        assert set(utc_days(a, **widen)) & set(utc_days(b, **widen))


@given(
    a=windows(), offset=st.integers(-_SPAN_SECONDS, _SPAN_SECONDS), before=buffers, after=buffers
)
def test_overlapping_pairs_share_a_day(
    a: TimeRange, offset: int, before: timedelta, after: timedelta
) -> None:
    # Given a second window built to overlap the first (both contain the first's midpoint)
    inside = a.start + (a.end - a.start) / 2
    other = inside + timedelta(seconds=offset)
    b = TimeRange(min(inside, other), max(inside, other) + MINUTE)
    assert a.overlaps(b)
    # Then with any buffers the two lock at least one common day
    widen = {"buffer_before": before, "buffer_after": after}
    assert set(utc_days(a, **widen)) & set(utc_days(b, **widen))


@given(pair=near_pairs(), before=buffers, after=buffers)
def test_conflict_is_symmetric_and_means_widened_overlap(
    pair: tuple[TimeRange, TimeRange], before: timedelta, after: timedelta
) -> None:
    a, b = pair
    widen = {"buffer_before": before, "buffer_after": after}
    assert in_conflict(a, b, **widen) == in_conflict(b, a, **widen)
    # the documented equivalent: raw b overlaps a widened by before + after on both sides
    reach = before + after
    assert in_conflict(a, b, **widen) == TimeRange(a.start - reach, a.end + reach).overlaps(b)


@given(pair=near_pairs(), before=buffers, after=buffers)
def test_every_conflict_starts_inside_the_query_window(
    pair: tuple[TimeRange, TimeRange], before: timedelta, after: timedelta
) -> None:
    candidate, existing = pair
    widen = {"buffer_before": before, "buffer_after": after}
    if in_conflict(candidate, existing, **widen):
        reads = query_window(candidate, **widen)
        assert reads.start <= existing.start < reads.end
