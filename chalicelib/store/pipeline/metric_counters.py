"""Per-minute metric counters: what the admin metrics summary reads.

Key: METRICS#<yyyy-mm-dd> / <HH:MM>#<metric>#<dimension>, so a window of up to a day is one
or two range queries. Counts are atomic `ADD`s (many processes bump one item safely).

Two ways in:
- `add`: a process's buffered request counts for one minute (not idempotent: a request is
  not an event, and the buffer is written once).
- `count_once`: one event, guarded by its id in the item's `counted` set, so a redelivered
  stream batch or a retried worker does not count it twice. The set grows by one id per
  event: ~36 bytes, i.e. about 10,000 events of one kind per minute before the 400 KB item
  limit, far above this product's scale (docs/observability.md).
Counter items live 8 days (`expires_at`; TTL is lazy, and readers only ask for a window).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain.pipeline.metrics import CounterRow
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.store.table import TableItem, bind

KEEP = timedelta(days=8)
_CONDITION_FAILED = "ConditionalCheckFailedException"


def day_pk(minute: datetime) -> str:
    return f"METRICS#{minute:%Y-%m-%d}"


def counter_sk(minute: datetime, key: str, dimension: str) -> str:
    return f"{minute:%H:%M}#{key}#{dimension}"


class MetricCounterItem(TableItem, discriminator="metric_counter"):  # type: ignore[call-arg]
    metric = UnicodeAttribute()
    dimension = UnicodeAttribute(null=True)
    minute = UnicodeAttribute()  # ISO, for people reading the table
    total = NumberAttribute(default=0)
    counted = UnicodeSetAttribute(null=True)  # event ids already counted (count_once)


class MetricCounterStore:
    def add(self, minute: datetime, key: str, dimension: str, amount: int) -> None:
        bind()
        self._item(minute, key, dimension).update(
            actions=self._bump(minute, key, dimension, amount)
        )

    def count_once(self, minute: datetime, key: str, dimension: str, source_id: str) -> bool:
        """Count one event; False (nothing written) when its id was already counted."""
        bind()
        try:
            self._item(minute, key, dimension).update(
                actions=[
                    *self._bump(minute, key, dimension, 1),
                    MetricCounterItem.counted.add({source_id}),
                ],
                condition=~MetricCounterItem.counted.contains(source_id),
            )
        except UpdateError as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise
            return False
        return True

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
