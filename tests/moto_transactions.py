"""moto's TransactWriteItems, one table snapshot per table instead of one per item.

To roll back a cancelled transaction, moto 5 deep-copies a table for EVERY item of the
transaction (`DynamoDBBackend.transact_write_items`), before it applies any of them: a 5-item
booking on one table copied the whole table five times, and those copies were a fifth of the
in-process suite's time. The copies of one call are taken before the first write, so they are
identical: one per table gives the same rollback and the same semantics. This changes moto
(the test double), never our code; it is applied by tests/conftest.py.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.dynamodb import models
from moto.dynamodb.models.table import Table

_calls = threading.local()
_transact_write_items = models.DynamoDBBackend.transact_write_items


class _CopyOncePerTable:
    """Stands in for the `copy` module inside moto.dynamodb.models."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        snapshots: dict[int, Any] | None = getattr(_calls, "snapshots", None)
        if snapshots is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in snapshots:
            snapshots[id(value)] = copy.deepcopy(value)
        return snapshots[id(value)]


def _transact_once_per_table(self: Any, transact_items: list[dict[str, Any]]) -> None:
    _calls.snapshots = {}
    try:
        _transact_write_items(self, transact_items)
    finally:
        _calls.snapshots = None


def install() -> None:
    models.copy = _CopyOncePerTable()  # type: ignore[assignment]
    models.DynamoDBBackend.transact_write_items = _transact_once_per_table  # type: ignore[method-assign]
