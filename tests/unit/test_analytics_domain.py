"""Analytics computations (pure): open hours across DST, what a reservation contributes,
deltas that telescope, and the figures read back."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.analytics import facts as f
from chalicelib.domain.analytics import report
from chalicelib.domain.analytics.open_hours import open_minutes
from chalicelib.domain.analytics.report import DateRange
from chalicelib.domain.catalog.resources import Blackout, BusinessHours, DayHours, Maintenance
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reservations.time_range import TimeRange

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessHours({d: DayHours(time(9), time(17)) for d in range(5)})
ALL_DAY = BusinessHours({d: DayHours(time(0), time(0)) for d in range(7)})


def local_day(day: date, zone: ZoneInfo) -> TimeRange:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return TimeRange(start, end)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def facts(
    status: str = "active", start: datetime | None = None, hours: float = 1, **kw: object
) -> f.ReservationFacts:
    start = start or at(24, 10)
    values: dict[str, object] = {
        "reservation_id": "r1",
        "resource_id": "room",
        "user_id": "alice",
        "start": start,
        "end": start + timedelta(hours=hours),
        "status": status,
        "created_at": start - timedelta(hours=48),
        "updated_at": start - timedelta(hours=24),
        **kw,
    }
    return f.ReservationFacts(**values)  # type: ignore[arg-type]


# --- open hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (BERLIN, date(2026, 3, 29), 23),  # spring forward
        (BERLIN, date(2026, 10, 25), 25),  # fall back
        (NEW_YORK, date(2026, 3, 8), 23),
        (NEW_YORK, date(2026, 11, 1), 25),
        (BERLIN, date(2026, 6, 1), 24),
    ],
)
def test_an_always_open_resource_is_open_for_the_length_of_its_local_day(
    zone: ZoneInfo, day: date, hours: int
) -> None:
    assert open_minutes(local_day(day, zone), zone, None) == hours * 60
    assert open_minutes(local_day(day, zone), zone, ALL_DAY) == hours * 60


def test_office_hours_stay_eight_hours_across_dst_and_skip_weekends() -> None:
    # Monday 23 March to Sunday 5 April 2026, Berlin: DST starts on Sunday 29 March
    window = TimeRange(datetime(2026, 3, 23, tzinfo=BERLIN), datetime(2026, 4, 6, tzinfo=BERLIN))
    assert open_minutes(window, BERLIN, OFFICE) == 10 * 8 * 60


def test_blackouts_and_maintenance_are_closed_time() -> None:
    week = TimeRange(datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 30, tzinfo=BERLIN))
    closed = Blackout("b", date(2026, 11, 24), date(2026, 11, 25), "works")
    assert open_minutes(week, BERLIN, OFFICE, [closed]) == 3 * 8 * 60
    fixing = Maintenance(
        datetime(2026, 11, 27, 9, tzinfo=BERLIN), "leak", datetime(2026, 11, 27, 11, tzinfo=BERLIN)
    )
    assert open_minutes(week, BERLIN, OFFICE, [], fixing) == 5 * 8 * 60 - 120
    endless = Maintenance(datetime(2026, 11, 27, 16, tzinfo=BERLIN), "broken", None)
    assert open_minutes(week, BERLIN, OFFICE, [], endless) == 4 * 8 * 60 + 7 * 60


def test_a_window_cuts_the_open_hours_at_its_ends() -> None:
    window = TimeRange(
        datetime(2026, 11, 24, 12, tzinfo=BERLIN), datetime(2026, 11, 24, 13, 30, tzinfo=BERLIN)
    )
    assert open_minutes(window, BERLIN, OFFICE) == 90


# --- contributions ---------------------------------------------------------------------------


def test_a_booking_counts_its_minutes_per_day_and_hour_in_every_scope() -> None:
    got = f.contribution(facts(start=at(24, 23, 30), hours=1))  # 23:30 -> 00:30 next day
    month = ("M", "2026-11", "ALL")
    assert got[month] == {"n_24": 1, "lt_24": 48 * 60, "bm_24": 30, "bm_25": 30} | {
        "n_t": 1,
        "lt_t": 48 * 60,
        "bm_t": 60,  # the month totals (session 10)
    }
    assert got[("H", "2026-11", "R#room")] == {"h_24_23": 30, "h_25_00": 30}
    assert got[("M", "2026-11", "UR#alice#room")]["bm_25"] == 30
    assert ("H", "2026-11", "UR#alice#room") not in got


def test_used_missed_cancelled_and_never_booked_time() -> None:
    used = f.contribution(facts("completed"))[("M", "2026-11", "ALL")]
    assert used["um_24"] == 60 and used["bm_24"] == 60
    missed = f.contribution(facts("no_show"))[("M", "2026-11", "ALL")]
    assert missed["ns_24"] == 1 and missed["nm_24"] == 60 and "um_24" not in missed
    cancelled = f.contribution(facts("cancelled"))[("M", "2026-11", "ALL")]
    assert cancelled == {"cx_24": 1, "cl_24": 24 * 60, "cx_t": 1, "cl_t": 24 * 60}
    assert f.contribution(facts("held")) == {}
    assert f.contribution(facts("rejected")) == {}
    # expired after its end: booked and unused; expired before (an offer): never booked
    late = facts("expired", updated_at=at(24, 12))
    assert f.contribution(late)[("M", "2026-11", "ALL")]["bm_24"] == 60
    assert f.contribution(facts("expired")) == {}


def test_a_booking_made_after_a_release_counts_as_rebooked() -> None:
    window = f.Released("gone", "room", at(24, 10), at(24, 11), released_at=at(24, 10, 15))
    after = facts(start=at(24, 10, 30), hours=1, reservation_id="r2", created_at=at(24, 10, 20))
    assert f.rebooked_minutes(after, [window]) == 30
    before = facts(start=at(24, 10, 30), created_at=at(24, 9))
    assert f.rebooked_minutes(before, [window]) == 0
    elsewhere = facts(start=at(24, 10), resource_id="other", created_at=at(24, 10, 20))
    assert f.rebooked_minutes(elsewhere, [window]) == 0


def test_deltas_telescope_to_the_final_contribution() -> None:
    # created -> moved -> checked in -> completed: the sum of deltas is the final state's
    states = [
        None,
        facts(),
        facts(start=at(25, 8), hours=2),
        facts("checked_in", start=at(25, 8), hours=2),
        facts("completed", start=at(25, 8), hours=2),
    ]
    total: f.Counters = {}
    for old, new in itertools.pairwise(states):
        f.merge(total, f.delta(f.contribution(old), f.contribution(new)))
    cleaned = {c: {a: v for a, v in attrs.items() if v} for c, attrs in total.items()}
    assert {c: a for c, a in cleaned.items() if a} == f.contribution(states[-1])
    assert f.delta(f.contribution(facts()), f.contribution(facts())) == {}


def test_images_that_are_not_reservations_give_no_facts() -> None:
    assert f.ReservationFacts.from_image(None) is None
    assert f.ReservationFacts.from_image({"reservation_id": "x"}) is None
    bad = {**facts().to_image(), "start_time": "soon"}
    assert f.ReservationFacts.from_image(bad) is None
    assert f.ReservationFacts.from_image(facts().to_image()) == facts()


# --- reading back ----------------------------------------------------------------------------


def test_ranges_default_validate_and_split_into_months() -> None:
    today = date(2026, 11, 24)
    default = DateRange.of(None, None, today)
    assert (default.first, default.last) == (date(2026, 10, 26), today)
    assert DateRange.of(date(2026, 11, 30), date(2026, 12, 2), today).months() == [
        "2026-11",
        "2026-12",
    ]
    with pytest.raises(InvalidInput):
        DateRange.of(date(2026, 11, 30), date(2026, 11, 1), today)
    with pytest.raises(InvalidInput):
        DateRange.of(date(2025, 1, 1), date(2026, 11, 1), today)


def test_totals_kpis_and_utilisation() -> None:
    rng = DateRange(date(2026, 11, 24), date(2026, 11, 24))
    rows = {("2026-11", "ALL"): {"n_24": 4, "bm_24": 240, "ns_24": 1, "cx_24": 1, "n_23": 9}}
    totals = report.totals_by_scope(rows, rng)["ALL"]
    assert totals == {"n": 4, "bm": 240, "ns": 1, "cx": 1}
    k = report.kpis(totals)
    assert k["booked_hours"] == 4.0 and k["no_show_rate"] == 0.25
    assert k["cancellation_rate"] == 0.2
    assert report.utilisation(240, 480) == 0.5
    assert report.utilisation(10, 0) is None


def test_the_peak_matrix_converts_utc_hours_to_local_ones_across_dst() -> None:
    rng = DateRange(date(2026, 10, 24), date(2026, 10, 26))
    # 08:00 UTC is 10:00 in Berlin on Saturday 24 October (CEST), 09:00 on Monday 26 (CET)
    rows = {("2026-10", "ALL"): {"h_24_08": 60, "h_26_08": 30}}
    matrix = report.peak_matrix(rows, rng, BERLIN)
    assert matrix[5][10] == 1.0 and matrix[0][9] == 0.5
    assert sum(map(sum, matrix)) == 1.5


def test_totals_read_most_of_a_month_as_its_total_minus_the_days_outside() -> None:
    """Session 10: a month mostly inside the range is read as `<metric>_t` minus the few
    days outside it, so the projection stays small; the answer is the same."""
    rng = DateRange(date(2026, 10, 26), date(2026, 11, 24))
    attrs = report.total_attrs(rng, (f.BOOKINGS,))
    assert "n_t" in attrs and "n_25" in attrs and "n_30" in attrs and "n_24" not in attrs
    rows = {
        ("2026-10", "R#a"): {"n_25": 5, "n_26": 1, "n_31": 2, "n_t": 8},
        ("2026-11", "R#a"): {"n_01": 1, "n_24": 3, "n_25": 7, "n_t": 11},
    }
    assert report.totals_by_scope(rows, rng) == {"R#a": {"n": 1 + 2 + 1 + 3}}
    whole = DateRange(date(2026, 11, 1), date(2026, 11, 30))
    assert report.total_attrs(whole, (f.BOOKINGS,)) == ["n_t"]
