"""Waitlist quota rules (issue 13), pure: which counters a join charges, never a booking's."""

from __future__ import annotations

import pytest

from chalicelib.domain.quotas.rules import (
    QuotaOverride,
    QuotaRule,
    Subject,
    evaluate,
    plan,
    waitlist_plan,
)
from tests.unit.test_quota_rules import NOW, WEEKLY_6H, span, subject

QUEUE_2 = QuotaRule("r-queue", "Queue", "waitlist", 2)


@pytest.mark.parametrize(
    ("rule", "who", "charged"),
    [
        (QUEUE_2, subject(), True),
        (QuotaRule("t", "t", "waitlist", 1, None, "tag", "lab"), subject(), True),
        (QuotaRule("t", "t", "waitlist", 1, None, "tag", "gym"), subject(), False),
        (QuotaRule("o", "o", "waitlist", 1, None, "role", "guest"), subject(), False),
        (QUEUE_2, subject(roles=("admin",)), False),
        (QuotaRule("x", "x", "waitlist", 1, exempt_roles=frozenset({"user"})), subject(), False),
        (WEEKLY_6H, subject(), False),  # a booking rule: not the join's
    ],
)
def test_a_join_charges_one_entry_on_each_applicable_waitlist_rule(
    rule: QuotaRule, who: Subject, charged: bool
) -> None:
    found = waitlist_plan([rule], [], who, NOW)
    assert [(d.counter, d.amount) for d in found.demands] == (
        [(f"{rule.rule_id}#open", 1)] if charged else []
    )


def test_a_booking_never_charges_a_waitlist_rule() -> None:
    assert plan([QUEUE_2], [], subject(), span(10, 9, 10), NOW).demands == ()


@pytest.mark.parametrize(
    ("used", "limit_override", "refused"), [(1, None, False), (2, None, True), (2, 3, False)]
)
def test_full_counters_refuse_and_overrides_raise_the_limit(
    used: int, limit_override: int | None, refused: bool
) -> None:
    overrides = [] if limit_override is None else [QuotaOverride("u1", "r-queue", limit_override)]
    found = evaluate(waitlist_plan([QUEUE_2], overrides, subject(), NOW), {"r-queue#open": used})
    assert bool(found.violations) is refused
    if refused:
        assert found.violations[0].as_dict()["message"] == (
            "Queue: at most 2 waitlist entries active: you have 2 waitlist entries active, "
            "this adds 1 waitlist entry"
        )
