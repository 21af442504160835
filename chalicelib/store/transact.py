"""A TransactWriteItems builder that knows which labelled item made a transaction fail.

PynamoDB groups a transaction's items by kind (condition checks, deletes, puts, updates), and
DynamoDB reports one cancellation reason per item in that order; `Tx` keeps a label per item
in the same order, so a failed condition maps to the domain error of the item that caused it.
Cancellations caused only by `TransactionConflict` (a concurrent transaction on one of the
items) are retried a few times with a short jittered pause; every write stays conditional.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict, DomainError
from chalicelib.store.table import TableItem, bind

MAX_ITEMS = 100
_KINDS = ("check", "delete", "put", "update")
_ATTEMPTS = 4

ErrorFactory = Callable[[], DomainError]


@dataclass
class _Op:
    kind: str
    label: str
    apply: Callable[[TransactWrite], None]


def _conflict() -> DomainError:
    return Conflict("a concurrent change got there first; retry", code="write_conflict")


@dataclass
class Tx:
    """Collect labelled writes, then `commit()`; `errors` maps a label to its domain error."""

    errors: dict[str, ErrorFactory] = field(default_factory=dict)
    _ops: list[_Op] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self._ops)

    def check(self, model: type[TableItem], pk: str, sk: str, cond: Condition, label: str) -> None:
        self._ops.append(_Op("check", label, lambda tx: tx.condition_check(model, pk, sk, cond)))

    def put(self, item: TableItem, cond: Condition | None, label: str) -> None:
        self._ops.append(_Op("put", label, lambda tx: tx.save(item, condition=cond)))

    def delete(self, item: TableItem, cond: Condition | None, label: str) -> None:
        self._ops.append(_Op("delete", label, lambda tx: tx.delete(item, condition=cond)))

    def update(
        self, item: TableItem, actions: Sequence[Action], cond: Condition | None, label: str
    ) -> None:
        self._ops.append(
            _Op("update", label, lambda tx: tx.update(item, actions=list(actions), condition=cond))
        )

    def on_fail(self, label: str, factory: ErrorFactory) -> None:
        self.errors[label] = factory

    def commit(self) -> None:
        if not self._ops:
            return
        if len(self._ops) > MAX_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_ITEMS} items ({len(self._ops)})")
        bind()
        ordered = sorted(self._ops, key=lambda op: _KINDS.index(op.kind))
        for attempt in range(_ATTEMPTS):
            try:
                self._run(ordered)
                return
            except TransactWriteError as exc:
                error = self._explain(exc, ordered)
                if error is not None:
                    raise error from None
                if attempt == _ATTEMPTS - 1 or not _only_conflicts(exc):
                    raise
                time.sleep(random.uniform(0.002, 0.01) * (attempt + 1))  # noqa: S311

    def _run(self, ordered: list[_Op]) -> None:
        connection = TableItem._get_connection().connection
        with TransactWrite(connection=connection) as tx:
            for op in ordered:
                op.apply(tx)

    def _explain(self, exc: TransactWriteError, ordered: list[_Op]) -> DomainError | None:
        reasons: list[Any] = list(exc.cancellation_reasons or [])
        for op, reason in zip(ordered, reasons, strict=False):
            if reason is not None and reason.code == "ConditionalCheckFailed":
                return self.errors.get(op.label, _conflict)()
        return None


def _only_conflicts(exc: TransactWriteError) -> bool:
    if exc.cause_response_code != "TransactionCanceledException":
        return False
    codes = {r.code for r in (exc.cancellation_reasons or []) if r is not None}
    return codes <= {"TransactionConflict", "None"} and "TransactionConflict" in codes
