"""Small helpers shared by the auth store modules: transactions and their cancellation reasons."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.store.table import TableItem, bind

CONDITION_FAILED = "ConditionalCheckFailed"


def connection() -> Connection:
    bind()
    return TableItem._get_connection().connection


@contextmanager
def transaction() -> Iterator[TransactWrite]:
    with TransactWrite(connection=connection()) as tx:
        yield tx


def failed_positions(error: TransactWriteError) -> set[int]:
    """Indexes of the items whose condition failed.

    PynamoDB sends a transaction's operations grouped by kind, whatever the call order:
    condition checks, then deletes, then puts, then updates. Indexes follow that order.
    """
    return {
        index
        for index, reason in enumerate(error.cancellation_reasons)
        if reason is not None and reason.code == CONDITION_FAILED
    }
