"""Per-minute metric counters: what the admin metrics summary reads.

Key: METRICS#<yyyy-mm-dd> / <HH:MM>#<metric>#<dimension>, so a window of up to a day is one
or two range queries. Counts are atomic `ADD`s (many processes bump one item safely).

Two ways in:
- `add`: a process's buffered request counts for one minute (not idempotent: a request is
  not an event, and the buffer is written once).
- `count_once` / `count_many`: events, each guarded by a marker item
  `METRICS#<yyyy-mm-dd>#COUNTED` / `<HH:MM>#<metric>#<dimension>#<event id>` put with
  `attribute_not_exists` in the SAME transaction as the counter's `ADD`, so a redelivered
  stream batch or a retried worker does not count it twice. `count_many` counts up to
  `EVENTS_PER_TRANSACTION` events in one transaction (one `ADD` per counter); if any of them
  was already counted, it falls back to one transaction per event.
  (Issue 16: the ids used to be a string set on the counter item itself; a bulk load of
  10,000 bookings grew that item towards the 400 KB limit, and every update streamed its
  old and new image, hundreds of KB each, through the stream relay.)
Counter and marker items live 8 days (`expires_at`; TTL is lazy, readers ask for a window).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.expressions.update import Action

from chalicelib.domain.pipeline.metrics import Counted, CounterRow
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store import dynamo
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.items import table_name
from chalicelib.store.table import TableItem, bind

KEEP = timedelta(days=8)


def day_pk(minute: datetime) -> str:
    return f"METRICS#{minute:%Y-%m-%d}"


def counter_sk(minute: datetime, key: str, dimension: str) -> str:
    return f"{minute:%H:%M}#{key}#{dimension}"


def counted_pk(minute: datetime) -> str:
    """Markers live beside the counters, not under them: `rows()` reads counters only."""
    return f"{day_pk(minute)}#COUNTED"


MARKER_TYPE = "metric_counted"
EVENTS_PER_TRANSACTION = 40  # markers + one ADD per counter stay under 100 items


class MetricCounterItem(TableItem, discriminator="metric_counter"):  # type: ignore[call-arg]
    metric = UnicodeAttribute()
    dimension = UnicodeAttribute(null=True)
    minute = UnicodeAttribute()  # ISO, for people reading the table
    total = NumberAttribute(default=0)
    counted = UnicodeSetAttribute(null=True)  # before issue 16: counted ids (now marker items)


class MetricCounterStore:
    def add(self, minute: datetime, key: str, dimension: str, amount: int) -> None:
        bind()
        self._item(minute, key, dimension).update(
            actions=self._bump(minute, key, dimension, amount)
        )

    def count_once(self, minute: datetime, key: str, dimension: str, source_id: str) -> bool:
        """Count one event; False (nothing written) when its id was already counted."""
        return bool(self.count_many([Counted(minute, key, dimension, source_id)]))

    def count_many(self, events: Sequence[Counted]) -> list[Counted]:
        """Count each event once; returns those counted now (not before)."""
        unique = list({(e.key, e.dimension, e.source_id): e for e in events}.values())
        counted: list[Counted] = []
        for first in range(0, len(unique), EVENTS_PER_TRANSACTION):
            chunk = unique[first : first + EVENTS_PER_TRANSACTION]
            if len(chunk) > 1:
                try:
                    _transact_counts(chunk)
                    counted.extend(chunk)
                    continue
                except dynamo.TransactionCancelled:  # one was counted before, or contention
                    pass
            counted.extend(e for e in chunk if _count_one(e))
        return counted

    def rows(self, first: datetime, last: datetime) -> Iterator[CounterRow]:
        """Every counter of the minutes first..last (at most two days apart)."""
        bind()
        day = first.replace(hour=0, minute=0)
        while day <= last:
            low = f"{max(first, day):%H:%M}"
            high = f"{min(last, day + timedelta(hours=23, minutes=59)):%H:%M}~"
            for item in MetricCounterItem.query(
                day_pk(day), MetricCounterItem.SK.between(low, high)
            ):
                yield CounterRow(
                    minute=datetime.fromisoformat(str(item.minute)).astimezone(UTC),
                    key=str(item.metric),
                    dimension=str(item.dimension or ""),
                    count=int(item.total or 0),
                )
            day += timedelta(days=1)

    @staticmethod
    def _item(minute: datetime, key: str, dimension: str) -> MetricCounterItem:
        return MetricCounterItem(PK=day_pk(minute), SK=counter_sk(minute, key, dimension))

    @staticmethod
    def _bump(minute: datetime, key: str, dimension: str, amount: int) -> list[Action]:
        return [
            MetricCounterItem.total.add(amount),
            MetricCounterItem.type.set(MetricCounterItem),  # type: ignore[arg-type]
            MetricCounterItem.metric.set(key),
            MetricCounterItem.dimension.set(dimension),
            MetricCounterItem.minute.set(minute.isoformat()),
            MetricCounterItem.expires_at.set(epoch_seconds(minute + KEEP)),
        ]


def _count_one(event: Counted, attempts: int = 3) -> bool:
    """True if counted now, False if it was counted before; contention is retried, then
    raised (the caller's batch is then retried)."""
    for attempt in range(attempts):
        try:
            _transact_counts([event])
            return True
        except dynamo.TransactionCancelled as exc:
            if 0 in exc.failed_conditions():
                return False
            if not exc.only_contention or attempt == attempts - 1:
                raise
    return False


def _transact_counts(events: Sequence[Counted]) -> None:
    """One transaction: a marker per event (absent, or the whole transaction fails) and one
    `ADD` per counter they bump."""
    table = table_name()
    items: list[Item] = [_marker(table, e) for e in events]
    bumps = Counter((e.minute, e.key, e.dimension) for e in events)
    items.extend(_add(table, *counter, amount) for counter, amount in sorted(bumps.items()))
    dynamo.transact(items)


def _marker(table: str, event: Counted) -> Item:
    sk = f"{counter_sk(event.minute, event.key, event.dimension)}#{event.source_id}"
    return {
        "Put": {
            "TableName": table,
            "Item": {
                "PK": {"S": counted_pk(event.minute)},
                "SK": {"S": sk},
                "type": {"S": MARKER_TYPE},
                "expires_at": {"N": str(epoch_seconds(event.minute + KEEP))},
            },
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def _add(table: str, minute: datetime, key: str, dimension: str, amount: int) -> Item:
    values: dict[str, Any] = {
        ":n": {"N": str(amount)},
        ":type": {"S": "metric_counter"},
        ":metric": {"S": key},
        ":dimension": {"S": dimension},
        ":minute": {"S": minute.isoformat()},
        ":expires": {"N": str(epoch_seconds(minute + KEEP))},
    }
    return {
        "Update": {
            "TableName": table,
            "Key": dynamo.key(day_pk(minute), counter_sk(minute, key, dimension)),
            "UpdateExpression": "ADD #total :n SET #type = :type, #metric = :metric, "
            "#dimension = :dimension, #minute = :minute, #expires = :expires",
            "ExpressionAttributeNames": {
                "#total": "total",
                "#type": "type",
                "#metric": "metric",
                "#dimension": "dimension",
                "#minute": "minute",
                "#expires": "expires_at",
            },
            "ExpressionAttributeValues": values,
        }
    }
