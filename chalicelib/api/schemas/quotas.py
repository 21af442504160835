"""Request/response models of the booking quotas family (issue 13)."""

from __future__ import annotations

import re
from datetime import time
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.domain.quotas.rules import QuotaOverride, QuotaRule

_PEAK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$")
MAX_LIMIT = 100_000


class QuotaRuleIn(Strict):
    """`limit`: hours for an `hours` rule (fractions allowed), a number of reservations for
    `count` and `concurrent`, a number of active waitlist entries for `waitlist` (no period,
    like `concurrent`). `peak` ("09:00-17:00", local time of the resource booked): only
    the part of a booking inside it counts."""

    name: str = Field(min_length=1, max_length=100)
    metric: Literal["hours", "count", "concurrent", "waitlist"]
    limit: float = Field(ge=0, le=MAX_LIMIT)
    period: Literal["day", "week", "month"] | None = None
    scope: Literal["global", "resource", "tag", "role", "group"] = "global"
    scope_value: str | None = Field(default=None, min_length=1, max_length=64)
    peak: str | None = Field(default=None, description="HH:MM-HH:MM, end 24:00 allowed")
    exempt_roles: list[str] = Field(default_factory=list, max_length=10)
    enabled: bool = True

    @field_validator("peak")
    @classmethod
    def _peak_shape(cls, value: str | None) -> str | None:
        if value is not None and not _PEAK.match(value):
            raise ValueError("peak must look like 09:00-17:00")
        if value is not None:
            start, end = value.split("-")
            if end != "24:00" and end <= start:
                raise ValueError("peak must end after it starts")
        return value

    def to_domain(self) -> QuotaRule:
        peak = None
        if self.peak:
            start, end = self.peak.split("-")
            peak = (
                time.fromisoformat(start),
                time(0) if end == "24:00" else time.fromisoformat(end),
            )
        limit = round(self.limit * 60) if self.metric == "hours" else round(self.limit)
        return QuotaRule(
            rule_id="",
            name=self.name,
            metric=self.metric,
            limit=limit,
            period=self.period,
            scope=self.scope,
            scope_value=self.scope_value,
            peak=peak,
            exempt_roles=frozenset(self.exempt_roles),
            enabled=self.enabled,
        )


class QuotaRuleOut(BaseModel):
    rule_id: str
    name: str
    metric: str
    limit: float = Field(description="hours for an hours rule, else reservations")
    period: str | None
    scope: str
    scope_value: str | None
    peak: str | None
    exempt_roles: list[str]
    enabled: bool

    @classmethod
    def of(cls, rule: QuotaRule) -> QuotaRuleOut:
        peak = None
        if rule.peak:
            end = "24:00" if rule.peak[1] == time(0) else rule.peak[1].strftime("%H:%M")
            peak = f"{rule.peak[0].strftime('%H:%M')}-{end}"
        return cls(
            rule_id=rule.rule_id,
            name=rule.name,
            metric=rule.metric,
            limit=rule.limit / 60 if rule.metric == "hours" else rule.limit,
            period=rule.period,
            scope=rule.scope,
            scope_value=rule.scope_value,
            peak=peak,
            exempt_roles=sorted(rule.exempt_roles),
            enabled=rule.enabled,
        )


class QuotaRuleList(BaseModel):
    items: list[QuotaRuleOut]


class QuotaOverrideIn(Strict):
    limit: float = Field(ge=0, le=MAX_LIMIT, description="same unit as the rule's limit")
    expires_at: UtcDatetime | None = Field(default=None, description="None: until removed")
    reason: str = Field(default="", max_length=500)


class QuotaOverrideOut(BaseModel):
    user_id: str
    rule_id: str
    limit: float
    expires_at: UtcDatetime | None
    reason: str

    @classmethod
    def of(cls, override: QuotaOverride, rule: QuotaRule | None) -> QuotaOverrideOut:
        hours = rule is not None and rule.metric == "hours"
        return cls(
            user_id=override.user_id,
            rule_id=override.rule_id,
            limit=override.limit / 60 if hours else override.limit,
            expires_at=override.expires_at,
            reason=override.reason,
        )


class QuotaOverrideList(BaseModel):
    items: list[QuotaOverrideOut]


class RuleUsageOut(BaseModel):
    rule_id: str
    name: str
    metric: str
    period: str | None
    scope: str
    scope_value: str | None
    unit: str = Field(description="minutes (hours rules) or reservations")
    limit: int
    limit_source: Literal["rule", "override"]
    used: int
    remaining: int
    summary: str
    period_key: str | None
    resets_at: str | None
    exempt: bool


class UsageOut(BaseModel):
    user_id: str
    rules: list[RuleUsageOut]

    @classmethod
    def of(cls, user_id: str, usages: list[dict[str, Any]]) -> UsageOut:
        return cls(user_id=user_id, rules=[RuleUsageOut(**u) for u in usages])


class UserUsageQuery(Strict):
    roles: list[str] = Field(default_factory=lambda: ["user"], max_length=5)


class AlertsQuery(Strict):
    threshold: float = Field(default=0.8, gt=0, le=1)


class QuotaAlertOut(BaseModel):
    user_id: str
    rule_id: str
    rule_name: str
    used: int
    limit: int
    unit: str
    share: float
    period_key: str
    resets_at: str | None


class QuotaAlertList(BaseModel):
    items: list[QuotaAlertOut]


class QuotaSummaryOut(BaseModel):
    rule_id: str
    name: str
    unit: str
    limit: int
    users: int
    total_used: int
    at_limit: int
    resets_at: str | None


class QuotaSummaryList(BaseModel):
    items: list[QuotaSummaryOut]


class CheckOut(BaseModel):
    """The what-if answer: `ok` means a booking sent now would be accepted (a forecast)."""

    ok: bool
    status: str = Field(description="what the booking would become: active or pending_approval")
    requires_approval: bool
    violations: list[dict[str, Any]] = Field(
        description="every failed rule, as in a refusal's details.violations"
    )
    conflicts: list[dict[str, Any]]
    quota: list[dict[str, Any]] = Field(description="each quota counter after this booking")
    alternatives: list[dict[str, Any]] = Field(
        description="Plan B when not ok: each has a ready-to-send `request`"
    )
