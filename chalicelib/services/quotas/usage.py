"""Quota usage views and admin management (issue 13): my usage, a user's usage, the rules and
overrides, users near a limit, a summary per rule.

Usage periods are keyed in the zone of the resource booked (domain/quotas/rules.py); these
views name the CURRENT period by the UTC calendar, so around local midnight a day counter of a
far-off zone may show as the next or previous day's. The enforcement never uses these views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.domain.quotas import rules as quota_rules
from chalicelib.domain.quotas.rules import QuotaOverride, QuotaRule, amount_words, unit_of
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.quotas.ports import QuotaAdminStore

UTC_ZONE = ZoneInfo("UTC")
ALERT_THRESHOLD = 0.8


@dataclass(frozen=True)
class RuleUsage:
    rule: QuotaRule
    limit: int
    overridden: bool
    used: int
    period_key: str | None
    resets_at: datetime | None
    exempt: bool

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def as_dict(self) -> dict[str, Any]:
        r = self.rule
        return {
            "rule_id": r.rule_id,
            "name": r.name,
            "metric": r.metric,
            "period": r.period,
            "scope": r.scope,
            "scope_value": r.scope_value,
            "unit": unit_of(r),
            "limit": self.limit,
            "limit_source": "override" if self.overridden else "rule",
            "used": self.used,
            "remaining": self.remaining,
            "summary": f"{amount_words(r, self.used)} of {amount_words(r, self.limit)}",
            "period_key": self.period_key,
            "resets_at": iso_z(self.resets_at) if self.resets_at else None,
            "exempt": self.exempt,
        }


def current_counter(rule: QuotaRule, now: datetime) -> tuple[str, datetime | None]:
    return counters_from(rule, now)[0]


def counters_from(
    rule: QuotaRule, now: datetime, periods: int = 1
) -> list[tuple[str, datetime | None]]:
    """The counters of the current period and the `periods - 1` after it, with reset times."""
    if rule.period is None:
        return [(f"{rule.rule_id}#open", None)]
    found: list[tuple[str, datetime | None]] = []
    day = now.astimezone(UTC).date()
    for _ in range(periods):
        key, _, reset = quota_rules.period_of(rule.period, day, UTC_ZONE)
        found.append((f"{rule.rule_id}#{key}", reset))
        day = reset.date()
    return found


def reset_of(rule: QuotaRule, counter: str) -> datetime | None:
    """The end of a counter's period (by the UTC calendar), from its key."""
    key = counter.split("#", 1)[1]
    if rule.period is None or key == "open":
        return None
    text = key.lstrip("WM")
    first = date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    return quota_rules.period_of(rule.period, first, UTC_ZONE)[2]


class QuotaService:
    def __init__(
        self,
        store: QuotaAdminStore,
        clock: Clock,
        ids: IdFactory,
        roles_of: Callable[[str], frozenset[str]],
    ) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids
        self._roles_of = roles_of  # a user's roles (404 for an unknown user)

    # --- usage --------------------------------------------------------------------------------

    def my_usage(self, principal: Principal) -> list[RuleUsage]:
        return self.usage_of(principal.subject_id, frozenset(r.value for r in principal.roles))

    def user_usage(self, user_id: str) -> list[RuleUsage]:
        return self.usage_of(user_id, self._roles_of(user_id))

    def usage_of(self, user_id: str, roles: frozenset[str]) -> list[RuleUsage]:
        now = self._clock.now()
        state = self._store.user_state(user_id)
        found: list[RuleUsage] = []
        for rule in sorted(self._store.rules(), key=lambda r: r.rule_id):
            if not rule.enabled or (rule.scope == "role" and rule.scope_value not in roles):
                continue
            limit, overridden = quota_rules.effective_limit(rule, state.overrides, now)
            current, _ = current_counter(rule, now)
            # The current period, and every later one already holding bookings.
            counters = {current} | {
                c
                for c, used in state.usage.items()
                if c.startswith(f"{rule.rule_id}#") and used > 0 and c > current
            }
            for counter in sorted(counters):
                found.append(
                    RuleUsage(
                        rule,
                        limit,
                        overridden,
                        state.usage.get(counter, 0),
                        counter.split("#", 1)[1] if rule.period else None,
                        reset_of(rule, counter),
                        rule.exempts(roles),
                    )
                )
        return found

    def alerts(self, threshold: float = ALERT_THRESHOLD) -> list[dict[str, Any]]:
        """Users at or above `threshold` of a rule's limit in its current or next period."""
        now = self._clock.now()
        overrides = self._store.overrides()
        found = []
        for rule in self._store.rules():
            for counter, reset in counters_from(rule, now, periods=2):
                found += self._near(rule, counter, reset, overrides, threshold)
        return found

    def _near(
        self,
        rule: QuotaRule,
        counter: str,
        reset: datetime | None,
        overrides: list[QuotaOverride],
        threshold: float,
    ) -> list[dict[str, Any]]:
        now = self._clock.now()
        found = []
        for user_id, used in sorted(self._store.counter_usage(counter).items()):
            mine = [o for o in overrides if o.user_id == user_id]
            limit, _ = quota_rules.effective_limit(rule, mine, now)
            if limit > 0 and used >= threshold * limit:
                found.append(
                    {
                        "user_id": user_id,
                        "rule_id": rule.rule_id,
                        "rule_name": rule.name,
                        "used": used,
                        "limit": limit,
                        "unit": unit_of(rule),
                        "share": round(used / limit, 3),
                        "period_key": counter.split("#", 1)[1],
                        "resets_at": iso_z(reset) if reset else None,
                    }
                )
        return found

    def summary(self) -> list[dict[str, Any]]:
        now = self._clock.now()
        out = []
        for rule in sorted(self._store.rules(), key=lambda r: r.rule_id):
            counter, reset = current_counter(rule, now)
            usage = self._store.counter_usage(counter)
            out.append(
                {
                    "rule_id": rule.rule_id,
                    "name": rule.name,
                    "unit": unit_of(rule),
                    "limit": rule.limit,
                    "users": sum(1 for v in usage.values() if v > 0),
                    "total_used": sum(usage.values()),
                    "at_limit": sum(1 for v in usage.values() if v >= rule.limit),
                    "resets_at": iso_z(reset) if reset else None,
                }
            )
        return out

    # --- rules --------------------------------------------------------------------------------

    def rules(self) -> list[QuotaRule]:
        return sorted(self._store.rules(), key=lambda r: r.rule_id)

    def rule(self, rule_id: str) -> QuotaRule:
        return self._store.rule(rule_id)

    def create_rule(self, draft: QuotaRule) -> QuotaRule:
        rule = replace(draft, rule_id=self._ids.new_id())
        self._store.put_rule(check_rule(rule), self._clock.now())
        return rule

    def replace_rule(self, rule_id: str, draft: QuotaRule) -> QuotaRule:
        self._store.rule(rule_id)
        rule = replace(draft, rule_id=rule_id)
        self._store.put_rule(check_rule(rule), self._clock.now())
        return rule

    def delete_rule(self, rule_id: str) -> None:
        self._store.delete_rule(rule_id)

    # --- overrides ----------------------------------------------------------------------------

    def overrides(self) -> list[QuotaOverride]:
        now = self._clock.now()
        return [o for o in self._store.overrides() if o.active(now)]

    def set_override(self, admin: Principal, override: QuotaOverride) -> QuotaOverride:
        self._store.rule(override.rule_id)
        now = self._clock.now()
        if override.expires_at is not None and override.expires_at <= now:
            raise InvalidInput(
                "expires_at must be in the future",
                code="invalid_override",
                details=[{"field": "expires_at", "message": "must be in the future"}],
            )
        self._store.put_override(override, admin.subject_id, now)
        return override

    def delete_override(self, user_id: str, rule_id: str) -> None:
        self._store.delete_override(user_id, rule_id)


def check_rule(rule: QuotaRule) -> QuotaRule:
    problems = []
    open_ended = rule.metric in quota_rules.OPEN_METRICS
    if open_ended and rule.period is not None:
        problems.append({"field": "period", "message": f"a {rule.metric} rule has no period"})
    if not open_ended and rule.period is None:
        problems.append({"field": "period", "message": "day, week or month"})
    if (rule.scope == "global") != (rule.scope_value is None):
        problems.append(
            {"field": "scope_value", "message": "required for resource, tag, role and group scopes"}
        )
    if rule.peak is not None and open_ended:
        problems.append({"field": "peak", "message": f"a {rule.metric} rule has no peak window"})
    if problems:
        raise InvalidInput(
            "the quota rule is not valid", code="invalid_quota_rule", details=problems
        )
    return rule
