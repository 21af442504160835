"""The audit log: append-only entries, queryable by time, entity and actor.

- entry:  `AUDIT#<yyyy-mm>` / `E#<entry id>`; GSI1 `AUDIT_ENTITY#<type>#<id>` / `<entry id>`;
          GSI2 `AUDIT_ACTOR#<actor>` / `<entry id>`  (type `audit_entry`)
- month:  `AUDIT_MONTHS` / `<yyyy-mm>`  (type `audit_month`; one per month that has entries)

Entry ids are ULIDs whose time part is the change's time, so every sort key orders by time
and an id alone locates its month partition. Entries are only ever put (conditionally, so a
redelivered change writes nothing new) and deleted by retention; nothing updates them. The
month markers let queries and retention walk the months that exist without scanning.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from ulid import ULID

from chalicelib.domain.errors import Conflict
from chalicelib.domain.pipeline.audit import AuditEntry, AuditFilter
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.store.pipeline.audit_stats import counter_keys, plan_counts, plan_counts_many
from chalicelib.store.table import TableItem, bind
from chalicelib.store.transact import MAX_ITEMS, Tx

MONTHS_PK = "AUDIT_MONTHS"
MAX_QUERIES = 10  # pages read per request at most (filters can make pages sparse)
_WRITTEN = "audit_entry_written"


def _already_written() -> Conflict:
    return Conflict("this audit entry was already written", code=_WRITTEN)


def month_of(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def month_pk(month: str) -> str:
    return f"AUDIT#{month}"


def entity_pk(entity_type: str, entity_id: str) -> str:
    return f"AUDIT_ENTITY#{entity_type}#{entity_id}"


def actor_pk(actor_id: str) -> str:
    return f"AUDIT_ACTOR#{actor_id}"


def ulid_bound(at: datetime, *, high: bool) -> str:
    """The smallest (or largest) entry id at instant `at`: sort-key bounds for a time range."""
    millis = max(0, int(at.timestamp() * 1000))
    tail = b"\xff" * 10 if high else b"\x00" * 10
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + tail))


def entry_time(entry_id: str) -> datetime | None:
    try:
        return ULID.from_str(entry_id).datetime.astimezone(UTC)
    except (ValueError, TypeError):
        return None


class AuditItem(TableItem, discriminator="audit_entry"):  # type: ignore[call-arg]
    entry_id = UnicodeAttribute()
    at = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    client_ip = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)
    entity_type = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    action = UnicodeAttribute()
    changes = UnicodeAttribute(null=True)  # JSON object


class AuditMonthItem(TableItem, discriminator="audit_month"):  # type: ignore[call-arg]
    month = UnicodeAttribute()


def _item(entry: AuditEntry, expires_at: datetime) -> AuditItem:
    return AuditItem(
        PK=month_pk(month_of(entry.at)),
        SK=f"E#{entry.entry_id}",
        GSI1PK=entity_pk(entry.entity_type, entry.entity_id),
        GSI1SK=entry.entry_id,
        GSI2PK=actor_pk(entry.actor_id),
        GSI2SK=entry.entry_id,
        entry_id=entry.entry_id,
        at=iso_z(entry.at),
        actor_id=entry.actor_id,
        channel=entry.channel,
        client_ip=entry.client_ip or None,
        correlation_id=entry.correlation_id or None,
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        action=entry.action,
        changes=json.dumps(entry.changes, sort_keys=True, default=str),
        expires_at=epoch_seconds(expires_at),
    )


def _chunks(
    entries: Sequence[tuple[AuditEntry, datetime]],
) -> Iterator[list[tuple[AuditEntry, datetime]]]:
    """Greedy chunks whose transaction (entries + month markers + distinct counters) fits."""
    chunk: list[tuple[AuditEntry, datetime]] = []
    for pair in entries:
        candidate = [*chunk, pair]
        members = [entry for entry, _ in candidate]
        size = len(candidate) + len({month_of(e.at) for e in members})
        if chunk and size + len(counter_keys(members)) > MAX_ITEMS:
            yield chunk
            candidate = [pair]
        chunk = candidate
    if chunk:
        yield chunk


def _to_domain(item: AuditItem) -> AuditEntry:
    return AuditEntry.from_dict(
        {
            "entry_id": item.entry_id,
            "at": item.at,
            "actor_id": item.actor_id,
            "channel": item.channel,
            "client_ip": item.client_ip,
            "correlation_id": item.correlation_id,
            "entity_type": item.entity_type,
            "entity_id": item.entity_id,
            "action": item.action,
            "changes": json.loads(item.changes) if item.changes else {},
        }
    )


class AuditStore:
    def add(self, entry: AuditEntry, *, expires_at: datetime) -> bool:
        """Append once; False if this entry was already written (a redelivered change)."""
        bind()
        # One transaction: the entry (once per id) with the month marker and the statistics'
        # counters (issue 14, store/pipeline/audit_stats.py), so a redelivery counts nothing.
        tx = Tx()
        tx.put(_item(entry, expires_at), AuditItem.PK.does_not_exist(), "entry")
        tx.on_fail("entry", _already_written)
        month = month_of(entry.at)
        tx.put(AuditMonthItem(PK=MONTHS_PK, SK=month, month=month), None, "month")
        plan_counts(tx, entry, expires_at=expires_at)
        try:
            tx.commit()
        except Conflict as exc:
            if exc.code == _WRITTEN:
                return False
            raise
        return True

    def add_many(self, entries: Sequence[tuple[AuditEntry, datetime]]) -> int:
        """`add` for a batch (the bulk lane, issue 16): as many entries per transaction as
        fit with their merged counters; a transaction that finds an entry already written
        (a redelivery) is redone one entry at a time. Returns how many were written now."""
        bind()
        written = 0
        for chunk in _chunks(entries):
            tx = Tx()
            for index, (entry, expires_at) in enumerate(chunk):
                label = f"entry:{index}"
                tx.put(_item(entry, expires_at), AuditItem.PK.does_not_exist(), label)
                tx.on_fail(label, _already_written)
            for month in sorted({month_of(entry.at) for entry, _ in chunk}):
                tx.put(AuditMonthItem(PK=MONTHS_PK, SK=month, month=month), None, "month")
            plan_counts_many(tx, chunk)
            try:
                tx.commit()
                written += len(chunk)
            except Conflict as exc:
                if exc.code != _WRITTEN:
                    raise
                written += sum(self.add(entry, expires_at=at) for entry, at in chunk)
        return written

    def get(self, entry_id: str) -> AuditEntry | None:
        at = entry_time(entry_id)
        if at is None:
            return None
        bind()
        try:
            item = AuditItem.get(month_pk(month_of(at)), f"E#{entry_id}")
        except DoesNotExist:
            return None
        return _to_domain(item)

    def months(self, *, newest_first: bool = True) -> list[str]:
        bind()
        return [
            str(i.SK) for i in AuditMonthItem.query(MONTHS_PK, scan_index_forward=not newest_first)
        ]

    def page(
        self, spec: AuditFilter, *, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[AuditEntry], dict[str, Any] | None]:
        """Newest first. `start`/the returned state are opaque resume points (cursor payload)."""
        if spec.entity_type and spec.entity_id:
            pk = entity_pk(spec.entity_type, spec.entity_id)
            return self._index_page(AuditItem.gsi1, pk, spec, limit, start)
        if spec.actor_id:
            return self._index_page(AuditItem.gsi2, actor_pk(spec.actor_id), spec, limit, start)
        return self._months_page(spec, limit, start)

    def _index_page(
        self, index: Any, pk: str, spec: AuditFilter, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[AuditEntry], dict[str, Any] | None]:
        bind()
        items: list[AuditEntry] = []
        last = (start or {}).get("k")
        sk_name = "GSI1SK" if pk.startswith("AUDIT_ENTITY#") else "GSI2SK"
        for _ in range(MAX_QUERIES):
            results = index.query(
                pk,
                range_key_condition=_time_range(getattr(AuditItem, sk_name), spec, prefix=""),
                filter_condition=_filters(spec),
                scan_index_forward=False,
                limit=limit - len(items),
                last_evaluated_key=last,
            )
            items.extend(_to_domain(i) for i in results if isinstance(i, AuditItem))
            last = results.last_evaluated_key
            if not last or len(items) >= limit:
                break
        return items, ({"k": last} if last else None)

    def _months_page(
        self, spec: AuditFilter, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[AuditEntry], dict[str, Any] | None]:
        bind()
        months = [m for m in self.months() if _month_in_range(m, spec)]
        if start and start.get("m") in months:
            months = months[months.index(start["m"]) :]
        last = (start or {}).get("k")
        items: list[AuditEntry] = []
        for queries, month in enumerate(months):
            if queries >= MAX_QUERIES:
                return items, {"m": month, "k": None}
            results = AuditItem.query(
                month_pk(month),
                _time_range(AuditItem.SK, spec, prefix="E#"),
                filter_condition=_filters(spec),
                scan_index_forward=False,
                limit=limit - len(items),
                last_evaluated_key=last,
            )
            items.extend(_to_domain(i) for i in results if isinstance(i, AuditItem))
            last = results.last_evaluated_key
            if len(items) >= limit:
                if last:
                    return items, {"m": month, "k": last}
                following = months[months.index(month) + 1 :]
                return items, ({"m": following[0], "k": None} if following else None)
            last = None
        return items, None

    def delete_older_than(self, cutoff: datetime, *, limit: int = 1000) -> int:
        """Delete up to `limit` entries from before `cutoff` (oldest months first)."""
        bind()
        deleted = 0
        bound = f"E#{ulid_bound(cutoff, high=False)}"
        for month in self.months(newest_first=False):
            if month > month_of(cutoff):
                break
            old = list(
                AuditItem.query(month_pk(month), AuditItem.SK.__lt__(bound), limit=limit - deleted)
            )
            with AuditItem.batch_write() as batch:
                for item in old:
                    batch.delete(item)
            deleted += len(old)
            if deleted >= limit:
                return deleted
            if month < month_of(cutoff):
                AuditMonthItem(PK=MONTHS_PK, SK=month).delete()
        return deleted

    def iterate(self, spec: AuditFilter, *, page_size: int, max_rows: int) -> Iterator[AuditEntry]:
        """Every matching entry, page by page, at most `max_rows` (exports)."""
        state: dict[str, Any] | None = None
        produced = 0
        while produced < max_rows:
            items, state = self.page(spec, limit=min(page_size, max_rows - produced), start=state)
            yield from items
            produced += len(items)
            if state is None:
                return


def _time_range(attribute: Any, spec: AuditFilter, *, prefix: str) -> Condition | None:
    low = f"{prefix}{ulid_bound(spec.since, high=False)}" if spec.since else None
    high = f"{prefix}{ulid_bound(spec.until, high=True)}" if spec.until else None
    if low and high:
        return attribute.between(low, high)  # type: ignore[no-any-return]
    if low:
        return attribute >= low  # type: ignore[no-any-return]
    if high:
        return attribute <= high  # type: ignore[no-any-return]
    return attribute.startswith(prefix) if prefix else None  # type: ignore[no-any-return]


def _filters(spec: AuditFilter) -> Condition | None:
    condition: Condition | None = None
    by_entity = bool(spec.entity_type and spec.entity_id)
    for attribute, value in (
        (AuditItem.action, spec.action),
        (AuditItem.entity_type, None if by_entity else spec.entity_type),
        (AuditItem.entity_id, None if by_entity else spec.entity_id),
        (AuditItem.actor_id, spec.actor_id if by_entity else None),
    ):
        if value:
            clause = attribute == value
            condition = clause if condition is None else condition & clause
    return condition


def _month_in_range(month: str, spec: AuditFilter) -> bool:
    if spec.since and month < month_of(spec.since):
        return False
    return not (spec.until and month > month_of(spec.until))
