"""Audit statistics and filter values, kept when an entry is written (issue 14).

Counting at write time (not scanning entries per request) keeps `GET /audit/statistics` a
few bounded range queries whatever the log's size. Items (single table):

- day counter: `AUDIT_STATS#<yyyy-mm>` / `<dimension>#<yyyy-mm-dd>#<value>` (type
  `audit_stat`), `n` = entries of that UTC day with that action / actor / entity type.
  One dimension over a range of days is one range query per month partition.
- seen value: `AUDIT_VALUES` / `<dimension>#<value>` (type `audit_value`), `n` = entries
  ever counted, `last_at` = the newest one: the filter dropdowns' values.

The updates ride in the SAME transaction as the entry's conditional put
(`store/pipeline/audit.py`), so a redelivered change (entry already there) counts nothing
and a counted entry is always written: counting is idempotent per entry id. Day counters
expire with the entries they count (the retention TTL); seen values stay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.expressions.update import Action

from chalicelib.domain.pipeline.audit import AuditEntry
from chalicelib.domain.pipeline.audit_stats import SeenValue, StatRow
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.store.table import TableItem, bind
from chalicelib.store.transact import Tx

VALUES_PK = "AUDIT_VALUES"


def stats_pk(month: str) -> str:
    return f"AUDIT_STATS#{month}"


def stat_sk(dimension: str, day: date, value: str) -> str:
    return f"{dimension}#{day.isoformat()}#{value}"


def value_sk(dimension: str, value: str) -> str:
    return f"{dimension}#{value}"


class AuditStatItem(TableItem, discriminator="audit_stat"):  # type: ignore[call-arg]
    dimension = UnicodeAttribute()
    day = UnicodeAttribute()
    value = UnicodeAttribute()
    n = NumberAttribute(default=0)


class AuditValueItem(TableItem, discriminator="audit_value"):  # type: ignore[call-arg]
    dimension = UnicodeAttribute()
    value = UnicodeAttribute()
    n = NumberAttribute(default=0)
    last_at = UnicodeAttribute(null=True)


def _values(entry: AuditEntry) -> tuple[tuple[str, str], ...]:
    return (("action", entry.action), ("actor", entry.actor_id), ("entity", entry.entity_type))


def plan_counts(tx: Tx, entry: AuditEntry, *, expires_at: datetime) -> None:
    """Add the entry's counter bumps to `tx` (the transaction that puts the entry)."""
    plan_counts_many(tx, [(entry, expires_at)])


def counter_keys(entries: Sequence[AuditEntry]) -> set[tuple[str, ...]]:
    """The distinct counter items the entries bump (a transaction writes each once)."""
    keys: set[tuple[str, ...]] = set()
    for entry in entries:
        for dimension, value in _values(entry):
            keys.add(("stat", dimension, entry.at.date().isoformat(), value))
            keys.add(("seen", dimension, value))
    return keys


def plan_counts_many(tx: Tx, entries: Sequence[tuple[AuditEntry, datetime]]) -> None:
    """Add the bumps of several entries (each with its expiry) to `tx`, merged: one update
    per counter item, adding how many of the entries it counts (the bulk lane, issue 16)."""
    stats: dict[tuple[str, date, str], tuple[int, datetime]] = {}
    seen: dict[tuple[str, str], tuple[int, datetime]] = {}
    for entry, expires_at in entries:
        for dimension, value in _values(entry):
            key = (dimension, entry.at.date(), value)
            count, latest_expiry = stats.get(key, (0, expires_at))
            stats[key] = (count + 1, max(latest_expiry, expires_at))
            count, last_at = seen.get((dimension, value), (0, entry.at))
            seen[(dimension, value)] = (count + 1, max(last_at, entry.at))
    for (dimension, day, value), (count, expires_at) in stats.items():
        month = f"{day.year:04d}-{day.month:02d}"
        stat = AuditStatItem(PK=stats_pk(month), SK=stat_sk(dimension, day, value))
        stat_actions: list[Action] = [
            AuditStatItem.n.add(count),
            AuditStatItem.type.set(AuditStatItem),  # type: ignore[arg-type]
            AuditStatItem.dimension.set(dimension),
            AuditStatItem.day.set(day.isoformat()),
            AuditStatItem.value.set(value),
            AuditStatItem.expires_at.set(epoch_seconds(expires_at)),
        ]
        tx.update(stat, stat_actions, None, f"stat:{dimension}")
    for (dimension, value), (count, last_at) in seen.items():
        seen_item = AuditValueItem(PK=VALUES_PK, SK=value_sk(dimension, value))
        # The newest of the batch; an older entry counted later may set an older `last_at`
        # (the dropdowns' order is a hint, the count is exact).
        seen_actions: list[Action] = [
            AuditValueItem.n.add(count),
            AuditValueItem.type.set(AuditValueItem),  # type: ignore[arg-type]
            AuditValueItem.dimension.set(dimension),
            AuditValueItem.value.set(value),
            AuditValueItem.last_at.set(iso_z(last_at)),
        ]
        tx.update(seen_item, seen_actions, None, f"seen:{dimension}")


class AuditStatsStore:
    def day_rows(
        self, dimension: str, first: date, last: date, *, max_rows: int
    ) -> Iterator[StatRow]:
        """Counters of `dimension` for the days first..last, at most `max_rows` of them."""
        bind()
        produced = 0
        for month in _months(first, last):
            low = stat_sk(dimension, max(first, month), "")
            high = stat_sk(dimension, last, "\uffff")
            for item in AuditStatItem.query(
                stats_pk(f"{month.year:04d}-{month.month:02d}"),
                AuditStatItem.SK.between(low, high),
                limit=max_rows - produced,
            ):
                yield StatRow(dimension, date.fromisoformat(item.day), item.value, int(item.n))
                produced += 1
                if produced >= max_rows:
                    return

    def seen(self, dimension: str, *, max_rows: int) -> list[SeenValue]:
        bind()
        rows = AuditValueItem.query(
            VALUES_PK, AuditValueItem.SK.startswith(f"{dimension}#"), limit=max_rows
        )
        return [
            SeenValue(dimension, item.value, int(item.n), str(item.last_at or "")) for item in rows
        ]


def _months(first: date, last: date) -> list[date]:
    months: list[date] = []
    month = date(first.year, first.month, 1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months
