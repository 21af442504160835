"""Read responses decoded by json.loads (issue 16, store/fast_parse.py) are what botocore's
own parser gives: items, pagination keys, errors, and binary values (which fall back)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.store import dynamo, fast_parse
from chalicelib.store.table import raw_client

TABLE = "reserver-main"
ITEM = {
    "PK": {"S": "FAST#1"},
    "SK": {"S": "A"},
    "n": {"N": "1.5"},
    "l": {"L": [{"S": "x"}, {"BOOL": True}, {"NULL": True}]},
    "m": {"M": {"k": {"SS": ["a", "b"]}}},
    "text": {"S": 'quotes "B": inside'},
}


def test_a_query_reads_the_same_as_botocore_parses_it(aws: None) -> None:
    plain = boto3.client("dynamodb")  # no hook: botocore's own parser
    plain.put_item(TableName=TABLE, Item=ITEM)
    plain.put_item(TableName=TABLE, Item={"PK": {"S": "FAST#1"}, "SK": {"S": "B"}})
    ask = {
        "TableName": TABLE,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "FAST#1"}},
        "Limit": 1,
    }
    fast = raw_client().query(**ask)
    slow = plain.query(**ask)
    assert fast["Items"] == slow["Items"] == [ITEM]
    assert fast["LastEvaluatedKey"] == slow["LastEvaluatedKey"]
    assert fast["Count"] == 1
    assert dynamo.get(TABLE, dynamo.key("FAST#1", "A")) == ITEM


def test_binary_values_and_errors_go_through_botocore(aws: None) -> None:
    boto3.client("dynamodb").put_item(
        TableName=TABLE, Item={"PK": {"S": "FAST#2"}, "SK": {"S": "A"}, "b": {"B": b"\x00\x01"}}
    )
    found = dynamo.get(TABLE, dynamo.key("FAST#2", "A"))
    assert found is not None and found["b"] == {"B": b"\x00\x01"}
    with pytest.raises(ClientError) as failed:
        raw_client().query(
            TableName="no-such-table",
            KeyConditionExpression="PK = :p",
            ExpressionAttributeValues={":p": {"S": "x"}},
        )
    assert failed.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_the_hook_decodes_successful_reads_and_leaves_the_rest() -> None:
    body = b'{"Items": [{"PK": {"S": "x"}}], "Count": 1}'
    ok: dict[str, object] = {"status_code": 200, "body": body}
    custom: dict[str, object] = {}
    fast_parse._decode(response_dict=ok, customized_response_dict=custom)
    assert custom == {"Items": [{"PK": {"S": "x"}}], "Count": 1} and ok["body"] == b"{}"
    for untouched in (
        {"status_code": 400, "body": b'{"__type": "x"}'},
        {"status_code": 200, "body": b'{"Item": {"b": {"B": "AAE="}}}'},
    ):
        custom = {}
        before = dict(untouched)
        fast_parse._decode(response_dict=untouched, customized_response_dict=custom)
        assert custom == {} and untouched == before
    assert getattr(raw_client(), "_reserver_fast_reads", False)
