"""The booking path's quota step: which counters a booking takes and whether they have room.

Evaluated before writing so a denial lists quota rules next to the other failed rules; the
write itself is guarded by the counters' conditions (store/quotas/items.py), so this read can
be stale without ever letting a booking pass a limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import RuleViolation
from chalicelib.domain.principal import Principal
from chalicelib.domain.quotas import rules as quota_rules
from chalicelib.domain.quotas.charge import QuotaCharge
from chalicelib.domain.quotas.rules import Evaluation, QuotaPlan, QuotaRule, Subject
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.booking_rules import resource_zone
from chalicelib.domain.reservations.denials import combined
from chalicelib.services.quotas.ports import QuotaReads

QUOTA_OVERRIDE = "quota"  # the name recorded in the history's `override` detail


@dataclass(frozen=True)
class QuotaOutcome:
    evaluation: Evaluation
    usage: Mapping[str, int]

    @property
    def plan(self) -> QuotaPlan:
        return self.evaluation.plan

    def violations(self) -> list[RuleViolation]:
        return [
            RuleViolation(v.as_dict()["message"], code="quota_exceeded", details=v.as_dict())
            for v in self.evaluation.violations
        ]


class QuotaGate:
    def __init__(
        self, store: QuotaReads, chain_of: Callable[[str], frozenset[str]] | None = None
    ) -> None:
        self._store = store
        # A resource group and the groups above it (read only when a rule is group-scoped).
        self._chain_of = chain_of

    def fit_checker(
        self, principal: Principal, now: datetime
    ) -> Callable[[Resource, TimeRange], bool]:
        """Would a booking fit the caller's quotas (rules and usage read once, here)?"""
        rules = self._store.rules()
        if not rules:
            return lambda _resource, _window: True
        state = self._store.user_state(principal.subject_id)

        def fits(resource: Resource, window: TimeRange) -> bool:
            plan = quota_rules.plan(
                rules, state.overrides, self._subject(principal, resource, rules), window, now
            )
            return not quota_rules.evaluate(plan, state.usage).violations

        return fits

    def evaluate_many(
        self, principal: Principal, items: list[tuple[Resource, TimeRange]], now: datetime
    ) -> tuple[list[QuotaPlan], QuotaOutcome]:
        """A series or bulk request: a plan per booking, and the request as a whole evaluated
        (every counter must have room for all of its bookings together)."""
        rules = self._store.rules()
        if not rules:
            return [QuotaPlan() for _ in items], QuotaOutcome(Evaluation(QuotaPlan()), {})
        state = self._store.user_state(principal.subject_id)
        memo: dict[str, frozenset[str]] = {}  # one tree read per group, not per booking
        plans = [
            quota_rules.plan(
                rules, state.overrides, self._subject(principal, r, rules, memo=memo), w, now
            )
            for r, w in items
        ]
        merged = quota_rules.merge(plans)
        return plans, QuotaOutcome(quota_rules.evaluate(merged, state.usage), state.usage)

    def evaluate_waitlist(
        self, principal: Principal, resource: Resource, now: datetime
    ) -> QuotaOutcome:
        """Joining `resource`'s waitlist: the `waitlist` rules' counters it takes (one entry
        each) and the rules it would break with the usage read now."""
        rules = self._store.rules()
        if not any(r.metric == "waitlist" for r in rules):
            return QuotaOutcome(Evaluation(QuotaPlan()), {})
        state = self._store.user_state(principal.subject_id)
        plan = quota_rules.waitlist_plan(
            rules, state.overrides, self._subject(principal, resource, rules), now
        )
        return QuotaOutcome(quota_rules.evaluate(plan, state.usage), state.usage)

    def evaluate(
        self,
        principal: Principal,
        resource: Resource,
        window: TimeRange,
        now: datetime,
        *,
        user_id: str | None = None,
        given_back: tuple[QuotaCharge, ...] = (),
    ) -> QuotaOutcome:
        """The plan of a booking by `principal` (for `user_id`, default the principal) and the
        rules it would break with the usage read now; `given_back`: a move's old charges."""
        owner = user_id or principal.subject_id
        rules = self._store.rules()
        if not rules:
            return QuotaOutcome(Evaluation(QuotaPlan()), {})
        subject = self._subject(principal, resource, rules, owner)
        state = self._store.user_state(owner)
        plan = quota_rules.plan(rules, state.overrides, subject, window, now)
        back: dict[str, int] = {}
        for charge in given_back:
            back[charge.counter] = back.get(charge.counter, 0) + charge.amount
        return QuotaOutcome(quota_rules.evaluate(plan, state.usage, back), state.usage)

    def _subject(
        self,
        principal: Principal,
        resource: Resource,
        rules: list[QuotaRule],
        owner: str | None = None,
        *,
        memo: dict[str, frozenset[str]] | None = None,
    ) -> Subject:
        groups: frozenset[str] = frozenset()
        group_id = resource.group_id
        if group_id and self._chain_of is not None and any(r.scope == "group" for r in rules):
            known = {} if memo is None else memo
            if group_id not in known:
                known[group_id] = self._chain_of(group_id)
            groups = known[group_id]
        return Subject(
            user_id=owner or principal.subject_id,
            roles=frozenset(r.value for r in principal.roles),
            resource_id=resource.resource_id,
            tags=resource.tags,
            zone=resource_zone(resource),
            groups=groups,
        )


def plans_or_refuse(
    gate: QuotaGate | None,
    principal: Principal,
    items: list[tuple[Resource, TimeRange]],
    now: datetime,
) -> list[QuotaPlan]:
    """The quota plan of each booking of a series or bulk request, or ONE RuleViolation
    listing every counter the request as a whole would overfill."""
    if gate is None:
        return [QuotaPlan() for _ in items]
    plans, outcome = gate.evaluate_many(principal, items, now)
    found = outcome.violations()
    if found:
        raise combined(found)
    return plans
