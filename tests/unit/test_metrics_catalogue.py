"""The metric catalogue's rules (pure): what a refusal or an event counts as, windows, totals."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.errors import Conflict, Forbidden, RuleViolation
from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline import metrics as m
from chalicelib.domain.reservations.conflicts import ReservationConflict

AT = datetime(2026, 12, 4, 9, 30, 42, 123000, tzinfo=UTC)


def test_refusals_count_as_conflicts_or_denials_by_rule_and_nothing_else() -> None:
    conflict = m.refusal_sample(ReservationConflict({}))
    assert conflict is not None and conflict.metric is m.CONFLICTS and conflict.dimensions == {}
    denial = m.refusal_sample(RuleViolation("closed", code="blackout_date"))
    assert denial is not None and denial.metric is m.DENIALS
    assert denial.dimensions == {"rule": "blackout_date"}
    # A state conflict (not a double booking) and a permission refusal are neither
    assert m.refusal_sample(Conflict("changed meanwhile")) is None
    assert m.refusal_sample(Forbidden("admins only")) is None


def test_events_count_as_bookings_offers_and_approval_decisions() -> None:
    assert m.event_sample(ev.RESERVATION_CREATED) == m.Sample(m.BOOKINGS)
    assert m.event_sample(ev.WAITLIST_OFFERED) == m.Sample(m.OFFERS)
    rejected = m.event_sample(ev.APPROVAL_REJECTED)
    assert rejected is not None and rejected.dimensions == {"decision": "rejected"}
    assert m.event_sample(ev.RESERVATION_CANCELLED) is None
    assert m.event_sample(ev.AUDIT_CHANGE) is None


def test_every_metric_has_a_cloudwatch_unit_and_a_unique_name() -> None:
    units = {"Count", "Milliseconds"}
    assert all(metric.unit in units for metric in m.CATALOGUE)
    assert (
        len({x.name for x in m.CATALOGUE}) == len({x.key for x in m.CATALOGUE}) == len(m.CATALOGUE)
    )
    assert m.QUEUE_LAG not in m.COUNTERS  # a distribution, not something to add up


def test_a_window_is_whole_minutes_ending_with_this_one() -> None:
    first, last = m.window_minutes(AT, 60)
    assert last == datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    assert first == datetime(2026, 12, 4, 8, 31, tzinfo=UTC)
    assert m.window_minutes(AT, 1) == (last, last)


def test_totals_add_up_rows_and_their_splits_and_skip_unknown_counters() -> None:
    minute = m.minute_of(AT)
    rows = [
        m.CounterRow(minute, "requests", "", 3),
        m.CounterRow(minute, "requests", "", 2),
        m.CounterRow(minute, "denials", "blackout_date", 1),
        m.CounterRow(minute, "denials", "outside_business_hours", 2),
        m.CounterRow(minute, "retired_counter", "", 9),
    ]
    totals = m.Totals.of(rows)
    assert totals.totals["requests"] == 5 and totals.totals["denials"] == 3
    assert totals.totals["bookings"] == 0
    assert totals.by_dimension["denials"] == {"blackout_date": 1, "outside_business_hours": 2}
    assert "retired_counter" not in totals.totals
