"""Reading and writing waitlist entries (keys and items: store/waitlist/items.py).

- `join`: read the resource's queue counter, then (consistently) its live queue, let the
  caller decide (FIFO number, one user's overlap check), then ONE transaction: counter
  `seq = seen + 1 IF seq = seen` + queue slot + entry, both `IF attribute_not_exists`. Two
  joins to one resource condition on the same counter, so at most one of them commits with
  what it read; the other re-reads (the same user's second, overlapping wish then fails the
  check). Never read-then-write. The same transaction charges the user's waitlist quota
  counters (`used + 1 <= limit`, issue 13): N racing joins against a limit k commit k.
- `change_items` / `apply`: an entry's transition, guarded by its version, with its queue slot
  deleted when it closes and its offer marker kept in step. The offer and the accept commit
  these items in the booking writer's transaction (`extra`), so the hold and the entry change
  together or not at all. The change that closes an entry (leave, expire, accept, auto-book,
  decline, lapse) gives its quota charges back in that same version-guarded transaction, so a
  give-back happens exactly once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import Conflict, TooManyRequests
from chalicelib.domain.quotas.charge import net
from chalicelib.domain.timeutil import iso_z
from chalicelib.domain.waitlist.entries import EntryStatus, WaitlistEntry
from chalicelib.domain.waitlist.matching import QueueSlot
from chalicelib.store import dynamo
from chalicelib.store.audit_stamp import stamp_raw
from chalicelib.store.dynamo import Item, TransactionCancelled, transact
from chalicelib.store.quotas.items import counter_updates
from chalicelib.store.reservations.booking_tx import _refuse_quota
from chalicelib.store.reservations.items import resource_pk, table_name, user_pk
from chalicelib.store.waitlist.items import (
    OFFERS_PK,
    QUEUE_PREFIX,
    USER_PREFIX,
    entry_from_raw,
    entry_item,
    entry_key,
    offer_item,
    offer_key,
    queue_key,
    seq_key,
    slot_from_raw,
    slot_item,
)

JOIN_ATTEMPTS = 6
_NEW = "attribute_not_exists(PK)"


class EntryChanged(Conflict):
    """The entry moved on since it was read (another accept, decline, offer or leave)."""

    def __init__(self) -> None:
        super().__init__(
            "the waitlist entry changed meanwhile; reload it and retry", code="entry_changed"
        )


class WaitlistStore:
    def __init__(
        self,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._sleep = sleep
        self._jitter = jitter

    # --- reads --------------------------------------------------------------------------------

    def get(self, entry_id: str) -> WaitlistEntry | None:
        raw = dynamo.get(table_name(), entry_key(entry_id))
        return entry_from_raw(raw) if raw else None

    def get_many(self, entry_ids: Sequence[str]) -> dict[str, WaitlistEntry]:
        found = dynamo.batch_get(table_name(), [entry_key(e) for e in entry_ids])
        entries = (entry_from_raw(raw) for raw in found.values())
        return {e.entry_id: e for e in entries}

    def queue(self, resource_id: str) -> list[QueueSlot]:
        """The resource's live entries in FIFO order (consistent, base table)."""
        items = dynamo.query(
            TableName=table_name(),
            ConsistentRead=True,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :q)",
            ExpressionAttributeValues={
                ":pk": {"S": resource_pk(resource_id)},
                ":q": {"S": QUEUE_PREFIX},
            },
        )
        return [slot_from_raw(raw) for raw in items]

    def for_user(
        self, user_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[WaitlistEntry], dict[str, Any] | None]:
        """A user's entries, newest first, one page at a time (GSI1)."""
        kwargs: dict[str, Any] = {
            "TableName": table_name(),
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk AND begins_with(GSI1SK, :w)",
            "ExpressionAttributeValues": {
                ":pk": {"S": user_pk(user_id)},
                ":w": {"S": USER_PREFIX},
            },
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = dynamo.client().query(**kwargs)
        entries = [entry_from_raw(dict(raw)) for raw in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return entries, dict(last) if last else None

    def lapsed_offers(self, now: datetime, *, limit: int = 100) -> list[str]:
        """Entries whose offer ran out before `now` (oldest deadline first)."""
        items = dynamo.query(
            TableName=table_name(),
            ConsistentRead=True,
            KeyConditionExpression="PK = :pk AND SK < :now",
            ExpressionAttributeValues={
                ":pk": {"S": OFFERS_PK},
                ":now": {"S": iso_z(now)},
            },
            Limit=limit,
        )
        return [str(raw["entry_id"]["S"]) for _, raw in zip(range(limit), items, strict=False)]

    # --- join -------------------------------------------------------------------------------

    def join(
        self,
        resource_id: str,
        decide: Callable[[int, list[QueueSlot]], WaitlistEntry],
        quota_limits: Mapping[str, int] | None = None,
    ) -> WaitlistEntry:
        """Counter first, then the queue (see the module docstring); `decide(seq, queue)`
        drafts the entry or raises. The entry's `quota_charges` are taken within
        `quota_limits` in the same transaction (`QuotaExceeded` when a counter is full)."""
        table = table_name()
        for attempt in range(JOIN_ATTEMPTS):
            raw = dynamo.get(table, seq_key(resource_id))
            seen = int(raw["seq"]["N"]) if raw and "seq" in raw else None
            entry = decide((seen or 0) + 1, self.queue(resource_id))
            quota = counter_updates(
                table, entry.user_id, net(taken=entry.quota_charges), quota_limits or {}
            )
            try:
                transact(
                    [
                        _bump(resource_id, seen, table),
                        _put(slot_item(entry).serialize(), table, _NEW),
                        _put(_stamped(entry), table, _NEW),
                        *quota,
                    ]
                )
                return entry
            except TransactionCancelled as exc:
                _refuse_quota(exc, 3, quota)  # the booking's reading: QuotaExceeded (422)
                if not exc.only_contention and exc.failed_conditions() != [0]:
                    raise exc.error from exc
            self._sleep((0.002 + 0.004 * self._jitter()) * (attempt + 1))
        raise TooManyRequests(
            "this waitlist is very busy right now; please retry",
            retry_after=1,
            code="waitlist_contention",
        )

    # --- transitions ------------------------------------------------------------------------

    def change_items(self, before: WaitlistEntry, after: WaitlistEntry) -> list[Item]:
        """The entry guarded by its version; its queue slot deleted when it closes; its offer
        marker put / deleted as the offer opens / closes."""
        table = table_name()
        put = _put(_stamped(after), table, "#ver = :v")
        put["Put"]["ExpressionAttributeNames"] = {"#ver": "version"}
        put["Put"]["ExpressionAttributeValues"] = {":v": {"N": str(before.version)}}
        items = [put]
        if before.live and not after.live:
            items.append({"Delete": {"TableName": table, "Key": queue_key(before)}})
            # Closing gives the join's quota charges back (no condition: only ever lowers).
            back = net(returned=before.quota_charges)
            items += counter_updates(table, before.user_id, back, {})
        old_marker, new_marker = _marker(before), _marker(after)
        if old_marker is not None and old_marker != new_marker:
            items.append({"Delete": {"TableName": table, "Key": old_marker}})
        if new_marker is not None and old_marker != new_marker:
            items.append(_put(offer_item(after).serialize(), table, None))
        return items

    def apply(self, before: WaitlistEntry, after: WaitlistEntry) -> WaitlistEntry:
        try:
            transact(self.change_items(before, after))
        except TransactionCancelled as exc:
            if exc.failed_conditions():
                raise EntryChanged() from exc
            raise
        return after


def _marker(entry: WaitlistEntry) -> dict[str, dict[str, str]] | None:
    """The offer marker exists while the offer is open (the entry keeps its last offer
    after it closes, for the user to read)."""
    return offer_key(entry) if entry.status == EntryStatus.OFFERED else None


def _stamped(entry: WaitlistEntry) -> Item:
    return {**entry_item(entry).serialize(), **stamp_raw()}


def _put(item: Item, table: str, condition: str | None) -> Item:
    put: Item = {"TableName": table, "Item": item}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def _bump(resource_id: str, seen: int | None, table: str) -> Item:
    values: dict[str, Any] = {":next": {"N": str((seen or 0) + 1)}, ":t": {"S": "waitlist_seq"}}
    if seen is None:
        condition = "attribute_not_exists(#s)"
    else:
        condition = "#s = :seen"
        values[":seen"] = {"N": str(seen)}
    return {
        "Update": {
            "TableName": table,
            "Key": seq_key(resource_id),
            "UpdateExpression": "SET #s = :next, #t = :t",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#s": "seq", "#t": "type"},
            "ExpressionAttributeValues": values,
        }
    }
