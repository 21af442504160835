"""The one low-level DynamoDB module: a typed client, one transaction helper that reports
why a transaction was cancelled, one batch-read loop and one paged query.

PynamoDB models describe items and their keys; the booking path talks to DynamoDB through
these helpers because it builds transactions of raw items (conditions on day versions, the
Idempotency-Key record, anchors and fences) and must know which item failed its condition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from chalicelib.store.table import raw_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

Item = dict[str, Any]
Key = dict[str, dict[str, str]]
BATCH_GET_LIMIT = 100  # keys per BatchGetItem call
MAX_TRANSACTION_ITEMS = 100
_RETRYABLE_ERRORS = frozenset({"TransactionConflictException", "TransactionInProgressException"})
CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"


def client() -> DynamoDBClient:
    return cast("DynamoDBClient", raw_client())


def key(pk: str, sk: str) -> Key:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


class TransactionCancelled(Exception):
    """A transaction that did not commit; `reasons` has one code per item, in item order
    (None where the item was fine)."""

    def __init__(self, error: ClientError, reasons: list[str | None]) -> None:
        super().__init__(str(error))
        self.error = error
        self.reasons = reasons

    def failed_conditions(self) -> list[int]:
        """The indexes of the items whose condition failed."""
        return [i for i, code in enumerate(self.reasons) if code == CONDITION_FAILED]

    @property
    def only_contention(self) -> bool:
        """Cancelled only because of concurrent transactions on the same items: rerun it."""
        codes = {code for code in self.reasons if code not in (None, "None")}
        return codes <= {TRANSACTION_CONFLICT}


def transact(items: Sequence[Item]) -> None:
    """TransactWriteItems; raises TransactionCancelled with the per-item reasons."""
    if len(items) > MAX_TRANSACTION_ITEMS:
        raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} items")
    try:
        client().transact_write_items(TransactItems=cast(Any, list(items)))
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code")
        if code == "TransactionCanceledException":
            raw = cast(list[Mapping[str, Any]], exc.response.get("CancellationReasons", []))
            reasons = [r.get("Code") for r in raw]
            raise TransactionCancelled(exc, reasons or _reasons_from_message(error)) from exc
        if code in _RETRYABLE_ERRORS:
            raise TransactionCancelled(exc, [TRANSACTION_CONFLICT]) from exc
        raise


def _reasons_from_message(error: Mapping[str, Any]) -> list[str | None]:
    """Some emulators only list the reasons in the message: '... [None, ConditionalCheckFailed]'."""
    message = str(error.get("Message", ""))
    start, end = message.rfind("["), message.rfind("]")
    if start < 0 or end < start:
        return [TRANSACTION_CONFLICT]
    return [part.strip() or None for part in message[start + 1 : end].split(",")]


def batch_get(
    table: str, keys: Sequence[Key], *, consistent: bool = True
) -> dict[tuple[str, str], Item]:
    """Every item that exists among `keys`, by (PK, SK): BatchGetItem in calls of 100 keys,
    unprocessed keys retried until none are left."""
    found: dict[tuple[str, str], Item] = {}
    unique = list({(k["PK"]["S"], k["SK"]["S"]): k for k in keys}.values())
    for first in range(0, len(unique), BATCH_GET_LIMIT):
        request: dict[str, Any] = {
            table: {"Keys": unique[first : first + BATCH_GET_LIMIT], "ConsistentRead": consistent}
        }
        while request:
            response = client().batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(table, []):
                found[(str(raw["PK"]["S"]), str(raw["SK"]["S"]))] = dict(raw)
            request = dict(response.get("UnprocessedKeys") or {})
    return found


def get(table: str, item_key: Key, *, consistent: bool = True) -> Item | None:
    raw = client().get_item(TableName=table, Key=cast(Any, item_key), ConsistentRead=consistent)
    item = raw.get("Item")
    return dict(item) if item else None


def query(**kwargs: Any) -> Iterator[Item]:
    """Every item a Query returns, page after page (callers bound it with Limit/filters)."""
    while True:
        response = client().query(**kwargs)
        for raw in response.get("Items", []):
            yield dict(raw)
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


BATCH_WRITE_LIMIT = 25  # requests per BatchWriteItem call


def batch_write(table: str, requests: Sequence[Item]) -> None:
    """BatchWriteItem (`{"PutRequest": ...}` / `{"DeleteRequest": ...}`) in calls of 25,
    unprocessed requests retried until none are left. Unconditional: for writes whose effect
    is the same however often they run."""
    for first in range(0, len(requests), BATCH_WRITE_LIMIT):
        pending: dict[str, Any] = {table: list(requests[first : first + BATCH_WRITE_LIMIT])}
        while pending:
            response = client().batch_write_item(RequestItems=pending)
            pending = dict(response.get("UnprocessedItems") or {})
