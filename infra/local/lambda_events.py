"""Lambda-shaped events built from what boto3 returns (SQS, DynamoDB Streams, EventBridge)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

ACCOUNT_ID = "123456789012"


def _jsonable(value: Any) -> Any:
    """boto3 gives bytes and datetimes; Lambda events are JSON (binary is base64)."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_jsonable(v) for v in value]
    return value


def _sqs_attribute(attr: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "dataType": attr.get("DataType", "String"),
        "stringListValues": [],
        "binaryListValues": [],
    }
    if "StringValue" in attr:
        out["stringValue"] = attr["StringValue"]
    if "BinaryValue" in attr:
        out["binaryValue"] = _jsonable(attr["BinaryValue"])
    return out


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _sqs_attribute(attr)
            for name, attr in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def stream_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    dynamodb = _jsonable(dict(record.get("dynamodb", {})))
    return {
        "eventID": record.get("eventID", uuid.uuid4().hex),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def scheduled_event(rule_name: str, region: str, now: datetime | None = None) -> dict[str, Any]:
    at = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule_name}"],
        "detail": {},
    }


def failed_item_ids(result: Any, all_ids: list[str]) -> set[str]:
    """Ids a handler reported in `batchItemFailures`; a malformed report fails the batch."""
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    failures = result.get("batchItemFailures") or []
    ids = {str(item.get("itemIdentifier", "")) for item in failures if isinstance(item, dict)}
    if len(ids) != len(failures) or not ids <= set(all_ids):
        return set(all_ids)
    return ids
