"""Quota rule evaluation (issue 13): pure and table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.quotas.charge import QuotaCharge, dump_charges, load_charges, net
from chalicelib.domain.quotas.rules import (
    QuotaOverride,
    QuotaRule,
    Subject,
    evaluate,
    period_of,
    plan,
)
from chalicelib.domain.reservations import TimeRange

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 1, 8, tzinfo=UTC)


def subject(*, roles: tuple[str, ...] = ("user",), tags: tuple[str, ...] = ("lab",)) -> Subject:
    return Subject("u1", frozenset(roles), "room-1", tags, BERLIN)


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def span(day: int, start: int, end: int, month: int = 3) -> TimeRange:
    return TimeRange(local(day, start, month=month), local(day, end, month=month))


WEEKLY_6H = QuotaRule("r-week", "Weekly", "hours", 360, "week")
DAILY_2 = QuotaRule("r-day", "Daily count", "count", 2, "day")


@pytest.mark.parametrize(
    ("rule", "who", "applies"),
    [
        (QuotaRule("g", "g", "count", 1, "day"), subject(), True),
        (QuotaRule("r", "r", "count", 1, "day", "resource", "room-1"), subject(), True),
        (QuotaRule("r", "r", "count", 1, "day", "resource", "room-2"), subject(), False),
        (QuotaRule("t", "t", "count", 1, "day", "tag", "lab"), subject(), True),
        (QuotaRule("t", "t", "count", 1, "day", "tag", "gym"), subject(), False),
        (QuotaRule("o", "o", "count", 1, "day", "role", "user"), subject(), True),
        (QuotaRule("o", "o", "count", 1, "day", "role", "guest"), subject(), False),
        (QuotaRule("d", "d", "count", 1, "day", enabled=False), subject(), False),
    ],
)
def test_scopes(rule: QuotaRule, who: Subject, applies: bool) -> None:
    found = plan([rule], [], who, span(10, 9, 10), NOW)
    assert bool(found.demands) is applies


@pytest.mark.parametrize(
    ("used", "adds_hours", "refused"),
    [(0, 6, False), (300, 1, False), (300, 2, True), (360, 1, True)],
)
def test_hours_limit_counts_usage_plus_this(used: int, adds_hours: int, refused: bool) -> None:
    p = plan([WEEKLY_6H], [], subject(), span(10, 9, 9 + adds_hours), NOW)
    counter = p.demands[0].counter
    result = evaluate(p, {counter: used})
    assert bool(result.violations) is refused
    if refused:
        message = result.violations[0].as_dict()["message"]
        assert "weekly limit 6 h" in message
        assert f"you have {used // 60} h" in message
        assert f"this adds {adds_hours} h" in message


def test_strictest_rule_is_the_one_that_binds() -> None:
    # Given a global 6 h/week and a tag rule of 3 h/week, both applicable
    tag_3h = QuotaRule("r-tag", "Lab", "hours", 180, "week", "tag", "lab")
    p = plan([WEEKLY_6H, tag_3h], [], subject(), span(10, 9, 13), NOW)
    # When 4 h are asked for, Then only the stricter one is broken
    broken = evaluate(p, {}).violations
    assert [v.demand.rule.rule_id for v in broken] == ["r-tag"]


def test_admins_and_exempt_roles_skip_and_are_reported() -> None:
    staff_free = QuotaRule("r", "r", "count", 0, "day", exempt_roles=frozenset({"staff"}))
    assert plan([staff_free], [], subject(roles=("admin",)), span(10, 9, 10), NOW).exempt == ("r",)
    p = plan([staff_free], [], subject(roles=("user", "staff")), span(10, 9, 10), NOW)
    assert p.exempt == ("r",) and p.demands == ()


@pytest.mark.parametrize(
    ("expires", "limit"),
    [(None, 10), (NOW + timedelta(days=1), 10), (NOW - timedelta(seconds=1), 2)],
)
def test_override_replaces_the_limit_until_it_expires(expires: datetime | None, limit: int) -> None:
    override = QuotaOverride("u1", "r-day", 10, expires)
    p = plan([DAILY_2], [override], subject(), span(10, 9, 10), NOW)
    assert p.demands[0].limit == limit


@pytest.mark.parametrize(
    ("window", "counted_minutes"),
    [
        (span(10, 9, 11), 120),  # inside the peak
        (span(10, 7, 10), 60),  # only 09-10 counts
        (span(10, 17, 20), 0),  # after the peak: nothing to count
        (TimeRange(local(10, 16), local(11, 10)), 60 + 60),  # two days, each its part
    ],
)
def test_time_of_day_window(window: TimeRange, counted_minutes: int) -> None:
    peak = QuotaRule("r-peak", "Peak", "hours", 120, "day", peak=(time(9), time(17)))
    p = plan([peak], [], subject(), window, NOW)
    assert sum(d.amount for d in p.demands) == counted_minutes


def test_a_dst_week_is_the_local_calendar_week() -> None:
    # The week of the spring-forward (Sunday 29 March 2026 in Berlin) is 167 hours long
    key, start, end = period_of("week", local(26, 12).date(), BERLIN)
    assert key == "W2026-03-23"
    assert end - start == timedelta(hours=167)
    assert start == local(23, 0)
    # A booking late on the Sunday (local) still counts in that week, not the next
    p = plan([WEEKLY_6H], [], subject(), span(29, 22, 23), NOW)
    assert p.demands[0].counter == "r-week#W2026-03-23"
    assert p.demands[0].resets_at == local(30, 0)


def test_a_booking_across_two_weeks_charges_each() -> None:
    p = plan([WEEKLY_6H], [], subject(), TimeRange(local(29, 22), local(30, 2)), NOW)
    assert {d.counter: d.amount for d in p.demands} == {
        "r-week#W2026-03-23": 120,
        "r-week#W2026-03-30": 120,
    }


def test_count_and_concurrent_rules() -> None:
    concurrent = QuotaRule("r-open", "Open", "concurrent", 3)
    p = plan([DAILY_2, concurrent], [], subject(), TimeRange(local(10, 22), local(11, 2)), NOW)
    charges = {c.counter: c for c in p.charges}
    assert charges["r-day#2026-03-10"].amount == 1  # counted once, on its first day
    assert "r-day#2026-03-11" not in charges
    assert charges["r-open#open"] == QuotaCharge("r-open#open", 1, on_end=True)


def test_a_move_does_not_count_its_own_old_booking() -> None:
    p = plan([WEEKLY_6H], [], subject(), span(10, 9, 13), NOW)
    counter = p.demands[0].counter
    assert evaluate(p, {counter: 300}).violations
    assert not evaluate(p, {counter: 300}, {counter: 240}).violations


def test_charges_round_trip_and_net() -> None:
    charges = (QuotaCharge("a#1", 60), QuotaCharge("b#open", 1, True))
    assert load_charges(dump_charges(charges)) == charges
    assert load_charges(None) == ()
    assert net([QuotaCharge("a", 60)], [QuotaCharge("a", 90), QuotaCharge("b", 1)]) == {
        "a": -30,
        "b": -1,
    }
