"""Audit statistics (counts by action, actor and entity type over UTC days) and the filter
values seen (issue 14), read from the counters kept at write time (store/pipeline/audit_stats.py).

Bounded by design: a range covers at most MAX_RANGE_DAYS days, each dimension reads at most
MAX_DAY_ROWS counter items (`complete: false` beyond), and the filter values list at most
MAX_VALUES per dimension. Admins only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.pipeline.audit_stats import DIMENSIONS, SeenValue, StatRow
from chalicelib.domain.principal import Principal, require_admin

MAX_RANGE_DAYS = 92
DEFAULT_RANGE_DAYS = 30
MAX_DAY_ROWS = 5000
MAX_VALUES = 500
TOP = 50  # rows per dimension in a statistics answer, largest counts first


@dataclass(frozen=True)
class Tally:
    value: str
    count: int


@dataclass(frozen=True)
class AuditStatistics:
    first: date
    last: date
    total: int
    by_action: list[Tally]
    by_actor: list[Tally]
    by_entity_type: list[Tally]
    by_day: list[Tally]
    complete: bool


@dataclass(frozen=True)
class AuditFilterValues:
    actions: list[SeenValue]
    entity_types: list[SeenValue]
    actors: list[SeenValue]
    complete: bool


class StatsReads(Protocol):
    """What the service reads: store/pipeline/audit_stats.py `AuditStatsStore` (the port
    keeps the store, with its table models, out of the API handler's cold import)."""

    def day_rows(
        self, dimension: str, first: date, last: date, *, max_rows: int
    ) -> Iterator[StatRow]: ...

    def seen(self, dimension: str, *, max_rows: int) -> list[SeenValue]: ...


class AuditStatsService:
    def __init__(self, store: StatsReads, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def statistics(
        self, principal: Principal, first: date | None, last: date | None
    ) -> AuditStatistics:
        require_admin(principal)
        first, last = self._range(first, last)
        counts: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
        per_day: Counter[str] = Counter()
        complete = True
        for dimension in DIMENSIONS:
            rows = list(self._store.day_rows(dimension, first, last, max_rows=MAX_DAY_ROWS))
            complete = complete and len(rows) < MAX_DAY_ROWS
            for row in rows:
                counts[dimension][row.value] += row.count
                if dimension == "action":  # every entry has exactly one action
                    per_day[row.day.isoformat()] += row.count
        return AuditStatistics(
            first=first,
            last=last,
            total=sum(counts["action"].values()),
            by_action=_top(counts["action"]),
            by_actor=_top(counts["actor"]),
            by_entity_type=_top(counts["entity"]),
            by_day=[Tally(day, n) for day, n in sorted(per_day.items())],
            complete=complete,
        )

    def filter_values(self, principal: Principal) -> AuditFilterValues:
        require_admin(principal)
        seen = {d: self._store.seen(d, max_rows=MAX_VALUES) for d in DIMENSIONS}
        return AuditFilterValues(
            actions=seen["action"],
            entity_types=seen["entity"],
            actors=seen["actor"],
            complete=all(len(v) < MAX_VALUES for v in seen.values()),
        )

    def _range(self, first: date | None, last: date | None) -> tuple[date, date]:
        if last is None:
            last = self._clock.now().date() if first is None else first + _days(DEFAULT_RANGE_DAYS)
        if first is None:
            first = last - _days(DEFAULT_RANGE_DAYS)
        if first > last:
            raise InvalidInput("'from' must not be after 'to'", code="invalid_range")
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise InvalidInput(
                f"a range covers at most {MAX_RANGE_DAYS} days",
                code="range_too_wide",
                details={"max_days": MAX_RANGE_DAYS},
            )
        return first, last


def _days(n: int) -> timedelta:
    return timedelta(days=n - 1)


def _top(counts: Counter[str]) -> list[Tally]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Tally(value, n) for value, n in ranked[:TOP]]
