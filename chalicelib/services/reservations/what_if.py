"""The what-if check (issue 13): `POST /api/v1/reservations/check` and `rr reserve --dry-run`.

The same evaluation as a booking, without writing: every booking rule, the quotas (usage
after the booking), the conflicts seen now, whether approval would be needed, and Plan B when
it would be refused. A "yes" is a forecast: the booking transaction stays the arbiter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chalicelib.domain.errors import RuleViolation
from chalicelib.domain.principal import Principal
from chalicelib.domain.quotas.rules import amount_words, unit_of
from chalicelib.domain.reservations.conflicts import Buffers, ReservationConflict, find_conflicts
from chalicelib.domain.reservations.denials import entries
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.booking import (
    BookingDeps,
    BookingRequest,
    initial_status,
    normalized_window,
    require_override_right,
)
from chalicelib.services.reservations.plan_b import PlanB


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    status: str
    requires_approval: bool
    violations: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    quota: list[dict[str, Any]] = field(default_factory=list)
    alternatives: list[dict[str, Any]] = field(default_factory=list)


class WhatIf:
    def __init__(self, deps: BookingDeps, plan_b: PlanB) -> None:
        self._catalog = deps.catalog
        self._reservations = deps.reservations
        self._quotas = deps.quotas
        self._rules = deps.rules
        self._clock = deps.clock
        self._plan_b = plan_b

    def check(self, principal: Principal, request: BookingRequest) -> CheckResult:
        window = normalized_window(request.start_time, request.end_time)
        require_override_right(principal, request.override)
        resource = self._catalog.get(request.resource_id)
        now = self._clock.now()
        violations: list[dict[str, Any]] = []
        try:
            self._rules(
                resource,
                window,
                now=now,
                hours=self._catalog.hours_for(resource),
                blackouts=self._catalog.blackouts_for(
                    resource,
                    window.start.date() - timedelta(days=1),
                    window.end.date() + timedelta(days=1),
                ),
                override=request.override,
            )
        except RuleViolation as broken:
            violations += entries(broken)
        quota: list[dict[str, Any]] = []
        if self._quotas is not None:
            outcome = self._quotas.evaluate(principal, resource, window, now)
            violations += [v.details for v in outcome.violations()]
            for d in outcome.plan.demands:
                used = outcome.usage.get(d.counter, 0)
                quota.append(
                    {
                        "rule_id": d.rule.rule_id,
                        "rule_name": d.rule.name,
                        "unit": unit_of(d.rule),
                        "limit": d.limit,
                        "used": used,
                        "adds": d.amount,
                        "after": used + d.amount,
                        "remaining_after": d.limit - used - d.amount,
                        "summary": f"{amount_words(d.rule, used + d.amount)} of "
                        f"{amount_words(d.rule, d.limit)} after this booking",
                        "resets_at": iso_z(d.resets_at) if d.resets_at else None,
                    }
                )
        buffers = Buffers(resource.policy.buffer_before, resource.policy.buffer_after)
        occupants = self._reservations.occupants(resource.resource_id, [window], buffers, now)
        clashes = find_conflicts(
            window,
            occupants,
            buffers,
            queued=resource.requires_approval,
        )
        conflicts = (
            ReservationConflict({0: clashes}).details_for(principal)["conflicts"] if clashes else []
        )
        ok = not violations and not conflicts
        found = [] if ok else self._plan_b.alternatives(principal, resource, window, now)
        status = initial_status(resource)
        return CheckResult(
            ok=ok,
            status=status.value,
            requires_approval=resource.requires_approval,
            violations=violations,
            conflicts=conflicts,
            quota=quota,
            alternatives=[a.as_dict(request.notes) for a in found],
        )
