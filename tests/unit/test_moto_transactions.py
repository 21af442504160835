"""The suite's faster moto rollback (tests/moto_transactions.py) leaves exactly what moto's own
leaves: the same items and the same stream records after committed and cancelled transactions
of every kind (put, update, delete, condition check; a failure on the first, a middle or the
last item; the same key twice)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from tests import moto_transactions

TABLE = "undo"


def _put(pk: str, sk: str, n: int, condition: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "TableName": TABLE,
        "Item": {"pk": {"S": pk}, "sk": {"S": sk}, "n": {"N": str(n)}},
    }
    if condition:
        op["ConditionExpression"] = condition
    return {"Put": op}


def _update(pk: str, sk: str, condition: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "TableName": TABLE,
        "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
        "UpdateExpression": "ADD n :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    if condition:
        op["ConditionExpression"] = condition
    return {"Update": op}


def _delete(pk: str, sk: str) -> dict[str, Any]:
    return {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}}


def _refused(pk: str, sk: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


TRANSACTIONS: list[list[dict[str, Any]]] = [
    [_put("a", "1", 1), _put("a", "2", 2), _put("b", "1", 3)],
    # refused on the last item, after a put, an update and a delete went through
    [_put("c", "1", 4), _update("a", "1"), _delete("a", "2"), _refused("b", "1")],
    # refused on the first item
    [_refused("a", "1"), _put("d", "1", 5)],
    # refused in the middle, by a put's own condition
    [_update("b", "1"), _put("a", "1", 9, "attribute_not_exists(pk)"), _put("e", "1", 6)],
    # the same key twice: moto refuses the call outright
    [_put("f", "1", 7), _update("f", "1")],
    [_update("a", "1"), _delete("b", "1"), _put("g", "1", 8)],
]


def _table() -> Any:
    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[TABLE]


def _run_all() -> tuple[list[Any], list[Any]]:
    client = boto3.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    outcomes = []
    for transaction in TRANSACTIONS:
        try:
            client.transact_write_items(TransactItems=transaction)
            outcomes.append("committed")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
    items = sorted(
        client.scan(TableName=TABLE)["Items"], key=lambda item: (item["pk"]["S"], item["sk"]["S"])
    )
    records = [record.to_json() for record in _table().stream_shard.items]
    for record in records:  # what differs between any two runs
        record.pop("eventID")
        for varying in ("SequenceNumber", "ApproximateCreationDateTime", "SizeBytes"):
            record["dynamodb"].pop(varying)
    return [outcomes, items], records


@pytest.fixture
def as_shipped() -> Iterator[None]:
    moto_transactions.uninstall()
    try:
        yield
    finally:
        moto_transactions.install()


def _with_undo_log() -> tuple[list[Any], list[Any]]:
    with mock_aws():
        return _run_all()


def test_the_undo_log_leaves_what_motos_own_rollback_leaves(as_shipped: None) -> None:
    with mock_aws():
        expected = _run_all()
    moto_transactions.install()
    actual = _with_undo_log()
    assert actual == expected
    outcomes, items = actual[0]
    assert outcomes.count("committed") == 2 and len(outcomes) == len(TRANSACTIONS)
    assert {item["pk"]["S"] for item in items} == {"a", "g"}
