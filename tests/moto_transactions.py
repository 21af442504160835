"""moto's TransactWriteItems, rolled back from an undo log instead of whole-table copies.

To roll back a cancelled transaction, moto 5 deep-copies a table for EVERY item of the
transaction (`DynamoDBBackend.transact_write_items`), before it applies any of them. A copy
holds every item of the table and every stream record written so far, so a test's later
bookings cost more than its first ones: the copies were a fifth of the in-process suite's
time with one copy per item, and still ~17% with one per table.

What a cancelled transaction has to undo is only what it wrote: the items it names, and the
stream records it appended. So before moto runs the call we keep a copy of each named item
(or its absence) and each touched table's stream length; moto's own snapshots become the live
table (free), and on any error we put the items back and drop the new stream records. The
outcome is the same as moto's: a cancelled transaction leaves items and streams as they were.
This changes moto (the test double), never our code; tests/conftest.py applies it, and
tests/unit/test_moto_transactions.py holds it to moto's own rollback.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

from moto.dynamodb import models
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table

_calls = threading.local()
_transact_write_items = models.DynamoDBBackend.transact_write_items


class _NoTableCopies:
    """Stands in for the `copy` module inside moto.dynamodb.models: while an undo log is
    kept, a table's "snapshot" is the table itself (moto's restore becomes a no-op)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(_calls, "undo_log", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


@dataclass
class _Before:
    table: Table
    hash_value: DynamoType
    range_value: DynamoType | None
    item: Item | None

    def restore(self) -> None:
        items: Any = self.table.items
        if self.range_value is None:
            if self.item is None:
                items.pop(self.hash_value, None)
            else:
                items[self.hash_value] = self.item
        elif self.item is None:
            items[self.hash_value].pop(self.range_value, None)
        else:
            items[self.hash_value][self.range_value] = self.item


class _UndoLog:
    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        self.before: list[_Before] = []
        self.stream_lengths: dict[int, tuple[StreamShard, int]] = {}
        for entry in transact_items:
            for op_type, op in entry.items():
                self._remember(backend, op_type, op)

    def _remember(self, backend: Any, op_type: str, op: dict[str, Any]) -> None:
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            return  # moto refuses the call before writing anything
        key = op.get("Item") if op_type == "Put" else op.get("Key")
        if not isinstance(key, dict) or table.hash_key_attr not in key:
            return  # moto refuses this item; what came before it is remembered
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = None
        if table.range_key_attr is not None:
            if table.range_key_attr not in key:
                return
            range_value = DynamoType(key[table.range_key_attr])
        current = table.get_item(hash_value, range_value)
        self.before.append(_Before(table, hash_value, range_value, copy.deepcopy(current)))
        shard = table.stream_shard
        if shard is not None:
            self.stream_lengths.setdefault(id(shard), (shard, len(shard.items)))

    def restore(self) -> None:
        for before in reversed(self.before):
            before.restore()
        for shard, length in self.stream_lengths.values():
            del shard.items[length:]


def _transact_with_undo_log(self: Any, transact_items: list[dict[str, Any]]) -> None:
    undo = _UndoLog(self, transact_items)
    _calls.undo_log = True
    try:
        _transact_write_items(self, transact_items)
    except BaseException:
        undo.restore()
        raise
    finally:
        _calls.undo_log = False


def install() -> None:
    models.copy = _NoTableCopies()  # type: ignore[attr-defined,assignment]
    models.DynamoDBBackend.transact_write_items = _transact_with_undo_log  # type: ignore[method-assign]


def uninstall() -> None:
    """moto as shipped (its own rollback), for the test that compares the two."""
    models.copy = copy  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
