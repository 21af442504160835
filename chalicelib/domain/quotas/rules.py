"""Quota rules and their pure, table-driven evaluation (docs/quotas.md).

A rule caps, per user, the booked hours or the number of reservations per day / week / month,
or the number of concurrent (not yet ended) reservations. It applies globally, to one resource,
to the resources with a tag, or to the users with a role; optionally only the part of a booking
inside a local time-of-day window counts ("2 h per day within 09:00-17:00").

Periods are the RESOURCE's local calendar (its IANA zone): a week runs Monday 00:00 to the next
Monday 00:00 local time, so a DST week is 167 or 169 hours long. Every applicable rule is
enforced, each with its own counter, so the strictest one is what binds ("strictest wins").
Admins and exempt roles skip a rule; the skip is reported so the caller records it as an
override. A per-user override replaces a rule's limit for that user until it expires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from chalicelib.domain.quotas.charge import QuotaCharge
from chalicelib.domain.reservations.time_range import TimeRange
from chalicelib.domain.timeutil import iso_z

Metric = Literal["hours", "count", "concurrent", "waitlist"]
Period = Literal["day", "week", "month"]
Scope = Literal["global", "resource", "tag", "role", "group"]
METRICS: tuple[Metric, ...] = ("hours", "count", "concurrent", "waitlist")
# Metrics counted by an open-ended counter (`<rule>#open`) rather than per period.
OPEN_METRICS: frozenset[str] = frozenset({"concurrent", "waitlist"})
PERIODS: tuple[Period, ...] = ("day", "week", "month")
SCOPES: tuple[Scope, ...] = ("global", "resource", "tag", "role", "group")
ADMIN_ROLE = "admin"
_PERIOD_WORD = {"day": "daily", "week": "weekly", "month": "monthly"}


@dataclass(frozen=True)
class QuotaRule:
    """`limit` is in minutes for an hours rule, a number of reservations otherwise."""

    rule_id: str
    name: str
    metric: Metric
    limit: int
    period: Period | None = None  # None only for `concurrent` and `waitlist`
    scope: Scope = "global"
    scope_value: str | None = None  # the resource id, tag, role or resource group id
    peak: tuple[time, time] | None = None  # local [start, end) that counts, end 00:00 = 24:00
    exempt_roles: frozenset[str] = frozenset()
    enabled: bool = True

    def applies_to(
        self,
        *,
        resource_id: str,
        tags: Iterable[str],
        roles: Iterable[str],
        groups: Iterable[str] = (),
    ) -> bool:
        """`groups`: the resource's group and every group above it (a group rule covers
        its whole subtree)."""
        if not self.enabled:
            return False
        if self.scope == "global":
            return True
        if self.scope == "resource":
            return self.scope_value == resource_id
        if self.scope == "tag":
            return self.scope_value in set(tags)
        if self.scope == "group":
            return self.scope_value in set(groups)
        return self.scope_value in set(roles)

    def exempts(self, roles: Iterable[str]) -> bool:
        held = set(roles)
        return ADMIN_ROLE in held or bool(held & self.exempt_roles)


@dataclass(frozen=True)
class QuotaOverride:
    """A user's own limit for one rule, until `expires_at` (None: until removed)."""

    user_id: str
    rule_id: str
    limit: int
    expires_at: datetime | None = None
    reason: str = ""

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True)
class Subject:
    """Whom and what a booking is for: the rules' scopes are matched against it."""

    user_id: str
    roles: frozenset[str]
    resource_id: str
    tags: tuple[str, ...]
    zone: ZoneInfo
    groups: frozenset[str] = frozenset()  # the resource's group and its ancestors


@dataclass(frozen=True)
class Demand:
    """One counter a booking adds to, with the limit it must stay within."""

    rule: QuotaRule
    limit: int
    counter: str
    amount: int
    period_start: datetime | None
    resets_at: datetime | None
    overridden: bool = False  # the limit is the user's override

    def charge(self) -> QuotaCharge:
        return QuotaCharge(self.counter, self.amount, on_end=self.rule.metric == "concurrent")


@dataclass(frozen=True)
class QuotaPlan:
    demands: tuple[Demand, ...] = ()
    exempt: tuple[str, ...] = ()  # ids of the rules the caller's role skipped

    @property
    def charges(self) -> tuple[QuotaCharge, ...]:
        return tuple(d.charge() for d in self.demands)

    @property
    def limits(self) -> dict[str, int]:
        return {d.counter: d.limit for d in self.demands}


@dataclass(frozen=True)
class Violation:
    """A rule a booking would break, with the user's numbers."""

    demand: Demand
    used: int

    def as_dict(self) -> dict[str, Any]:
        d = self.demand
        return {
            "rule": "quota",
            "code": "quota_exceeded",
            "message": explain(d, self.used),
            "rule_id": d.rule.rule_id,
            "rule_name": d.rule.name,
            "metric": d.rule.metric,
            "period": d.rule.period,
            "scope": d.rule.scope,
            "scope_value": d.rule.scope_value,
            "limit": d.limit,
            "used": self.used,
            "adds": d.amount,
            "unit": unit_of(d.rule),
            "resets_at": iso_z(d.resets_at) if d.resets_at else None,
        }


@dataclass(frozen=True)
class Evaluation:
    plan: QuotaPlan
    violations: tuple[Violation, ...] = field(default_factory=tuple)


# --- evaluation ---------------------------------------------------------------------------


def effective_limit(
    rule: QuotaRule, overrides: Sequence[QuotaOverride], now: datetime
) -> tuple[int, bool]:
    for o in overrides:
        if o.rule_id == rule.rule_id and o.active(now):
            return o.limit, True
    return rule.limit, False


def _applicable(
    rules: Sequence[QuotaRule],
    overrides: Sequence[QuotaOverride],
    subject: Subject,
    now: datetime,
    *,
    waitlist: bool,
) -> tuple[list[tuple[QuotaRule, int, bool]], list[str]]:
    """The rules of one kind (booking or waitlist) that bind `subject`, with the limit in
    force (and whether it is the user's override), and the ids of those its roles skip."""
    binding: list[tuple[QuotaRule, int, bool]] = []
    exempt: list[str] = []
    for rule in sorted(rules, key=lambda r: r.rule_id):
        if (rule.metric == "waitlist") != waitlist or not rule.applies_to(
            resource_id=subject.resource_id,
            tags=subject.tags,
            roles=subject.roles,
            groups=subject.groups,
        ):
            continue
        if rule.exempts(subject.roles):
            exempt.append(rule.rule_id)
            continue
        binding.append((rule, *effective_limit(rule, overrides, now)))
    return binding, exempt


def plan(
    rules: Sequence[QuotaRule],
    overrides: Sequence[QuotaOverride],
    subject: Subject,
    window: TimeRange,
    now: datetime,
) -> QuotaPlan:
    """The counters a booking of `window` adds to, per applicable rule (exempt ones skipped).
    Waitlist rules are not the booking's: a waitlist entry charges them (`waitlist_plan`)."""
    binding, exempt = _applicable(rules, overrides, subject, now, waitlist=False)
    demands = [
        Demand(rule, limit, counter, amount, start, reset, overridden)
        for rule, limit, overridden in binding
        for counter, amount, start, reset in _amounts(rule, window, subject.zone)
        if amount > 0
    ]
    return QuotaPlan(tuple(demands), tuple(exempt))


def waitlist_plan(
    rules: Sequence[QuotaRule],
    overrides: Sequence[QuotaOverride],
    subject: Subject,
    now: datetime,
) -> QuotaPlan:
    """The counters joining a waitlist for `subject.resource_id` adds to: one active entry on
    the open counter of every applicable `waitlist` rule (exempt ones skipped)."""
    binding, exempt = _applicable(rules, overrides, subject, now, waitlist=True)
    demands = [
        Demand(rule, limit, f"{rule.rule_id}#open", 1, None, None, overridden)
        for rule, limit, overridden in binding
    ]
    return QuotaPlan(tuple(demands), tuple(exempt))


def merge(plans: Sequence[QuotaPlan]) -> QuotaPlan:
    """Several bookings of one request (a series, a bulk batch) as one plan: the amounts of
    each counter added up, so the request as a whole must fit."""
    by_counter: dict[str, Demand] = {}
    for p in plans:
        for d in p.demands:
            seen = by_counter.get(d.counter)
            by_counter[d.counter] = (
                d if seen is None else replace(seen, amount=seen.amount + d.amount)
            )
    exempt = sorted({rule_id for p in plans for rule_id in p.exempt})
    return QuotaPlan(tuple(by_counter.values()), tuple(exempt))


def evaluate(
    the_plan: QuotaPlan, usage: Mapping[str, int], given_back: Mapping[str, int] | None = None
) -> Evaluation:
    """Every demand that would take its counter over the limit. `given_back` (a move: the
    reservation's own old charges) is subtracted from the usage first."""
    back = given_back or {}
    found = []
    for d in the_plan.demands:
        used = max(0, usage.get(d.counter, 0) - back.get(d.counter, 0))
        if used + d.amount > d.limit:
            found.append(Violation(d, used))
    return Evaluation(the_plan, tuple(found))


def _amounts(
    rule: QuotaRule, window: TimeRange, zone: ZoneInfo
) -> list[tuple[str, int, datetime | None, datetime | None]]:
    if rule.metric in OPEN_METRICS or rule.period is None:
        return [(f"{rule.rule_id}#open", 1, None, None)]
    per_period: dict[str, tuple[int, datetime, datetime]] = {}
    for day in local_dates(window, zone):
        counted = _counted_part(rule, window, day, zone)
        if counted is None:
            continue
        key, start, reset = period_of(rule.period, day, zone)
        if rule.metric == "hours":
            amount = _ceil_minutes(counted.end - counted.start)
        else:
            # A count is charged once, to the period of the first counted day.
            if any(k.startswith(f"{rule.rule_id}#") for k in per_period):
                continue
            amount = 1
        counter = f"{rule.rule_id}#{key}"
        before = per_period.get(counter, (0, start, reset))[0]
        per_period[counter] = (before + amount, start, reset)
    return [(c, a, s, r) for c, (a, s, r) in per_period.items()]


def _counted_part(
    rule: QuotaRule, window: TimeRange, day: date, zone: ZoneInfo
) -> TimeRange | None:
    bounds = day_range(day, zone)
    if rule.peak is not None:
        start, end = rule.peak
        peak_start = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
        peak_end = (
            bounds.end
            if end == time(0)
            else datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
        )
        bounds = TimeRange(max(bounds.start, peak_start), min(bounds.end, peak_end))
        if bounds.end <= bounds.start:
            return None
    low, high = max(window.start, bounds.start), min(window.end, bounds.end)
    return TimeRange(low, high) if low < high else None


# --- calendar -----------------------------------------------------------------------------


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_range(day: date, zone: ZoneInfo) -> TimeRange:
    return TimeRange(local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone))


def local_dates(window: TimeRange, zone: ZoneInfo) -> list[date]:
    first = window.start.astimezone(zone).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def period_of(period: Period, day: date, zone: ZoneInfo) -> tuple[str, datetime, datetime]:
    """The period's key and its UTC start and end (the reset time) in `zone`."""
    if period == "day":
        first, after = day, day + timedelta(days=1)
        key = day.isoformat()
    elif period == "week":
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
        key = f"W{first.isoformat()}"
    else:
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        key = f"M{first.year:04d}-{first.month:02d}"
    return key, local_midnight(first, zone), local_midnight(after, zone)


def _ceil_minutes(span: timedelta) -> int:
    seconds = span.total_seconds()
    return int(-(-seconds // 60))


# --- words --------------------------------------------------------------------------------


def unit_of(rule: QuotaRule) -> str:
    if rule.metric == "waitlist":
        return "entries"
    return "minutes" if rule.metric == "hours" else "reservations"


def amount_words(rule: QuotaRule, amount: int) -> str:
    if rule.metric == "hours":
        hours, minutes = divmod(amount, 60)
        if minutes == 0:
            return f"{hours} h"
        if hours == 0:
            return f"{minutes} min"
        return f"{hours} h {minutes} min"
    if rule.metric == "waitlist":
        return f"{amount} waitlist entr{'y' if amount == 1 else 'ies'}"
    return f"{amount} reservation{'' if amount == 1 else 's'}"


def limit_words(rule: QuotaRule, limit: int) -> str:
    what = amount_words(rule, limit)
    if rule.metric == "concurrent":
        return f"at most {what} at a time"
    if rule.metric == "waitlist":
        return f"at most {what} active"
    period = _PERIOD_WORD.get(rule.period or "", "")
    peak = ""
    if rule.peak is not None:
        end = "24:00" if rule.peak[1] == time(0) else rule.peak[1].strftime("%H:%M")
        peak = f" within {rule.peak[0].strftime('%H:%M')}-{end}"
    return f"{period} limit {what}{peak}"


def explain(demand: Demand, used: int) -> str:
    """'weekly limit 6 h: you have 5 h booked, this adds 2 h'."""
    rule = demand.rule
    booked = {"concurrent": "upcoming", "waitlist": "active"}.get(rule.metric, "booked")
    return (
        f"{rule.name}: {limit_words(rule, demand.limit)}: you have "
        f"{amount_words(rule, used)} {booked}, this adds {amount_words(rule, demand.amount)}"
    )
