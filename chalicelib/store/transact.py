"""A TransactWriteItems builder over PynamoDB models that knows which labelled item made a
transaction fail.

PynamoDB serialises each operation (models, typed conditions and update actions); the
transaction itself goes through the one low-level helper (`store/dynamo.py`), which reports
one cancellation reason per item, in the order the items were added, so a failed condition
maps to the domain error of the item that caused it. Cancellations caused only by
`TransactionConflict` (a concurrent transaction on one of the items) are retried a few times
with a short jittered pause; every write stays conditional.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict, DomainError
from chalicelib.store import dynamo
from chalicelib.store.dynamo import TransactionCancelled
from chalicelib.store.table import TableItem, bind

MAX_ITEMS = 100
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
        items = self._serialized()
        for attempt in range(_ATTEMPTS):
            try:
                dynamo.transact(items)
                return
            except TransactionCancelled as exc:
                for index in exc.failed_conditions():
                    raise self.errors.get(self._ops[index].label, _conflict)() from None
                if attempt == _ATTEMPTS - 1 or not exc.only_contention:
                    raise TransactWriteError(
                        "Failed to write transaction items", exc.error
                    ) from exc
                time.sleep(random.uniform(0.002, 0.01) * (attempt + 1))  # noqa: S311

    def _serialized(self) -> list[dynamo.Item]:
        """The operations as TransactItems, in the order they were added (so a cancellation
        reason's index is the operation's), serialised by PynamoDB's own TransactWrite."""
        builder = TransactWrite(connection=TableItem._get_connection().connection)
        pending = {
            "ConditionCheck": builder._condition_check_items,
            "Delete": builder._delete_items,
            "Put": builder._put_items,
            "Update": builder._update_items,
        }
        items: list[dynamo.Item] = []
        for op in self._ops:
            op.apply(builder)
            kind = next(kind for kind, made in pending.items() if made)
            items.append({kind: pending[kind].pop()})
        return items
