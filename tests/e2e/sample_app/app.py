"""The product app, extended with recorders that write what they receive to the main table.

Records: PK `E2E#<kind>`, SK `<id>`, `payload` (JSON). The test process reads them straight
from DynamoDB Local. Recorders react only to their own probes, so the product handlers and
the product's data are untouched.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from chalice.app import DynamoDBEvent, Rate, SQSEvent

from app import app
from chalicelib import wiring
from chalicelib.domain.pipeline.connections import WsSession

__all__ = ["app"]

PROBE_PREFIX = "E2E#PROBE#"
# Chalice wants a literal ARN; the pump matches it to the table by name.
SAMPLE_STREAM_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/reserver-main/stream/e2e"


def _record(kind: str, record_id: str, payload: dict[str, Any]) -> None:
    boto3.client("dynamodb").put_item(
        TableName=os.environ.get("TABLE_NAME", "reserver-main"),
        Item={
            "PK": {"S": f"E2E#{kind}"},
            "SK": {"S": record_id},
            "type": {"S": "e2e_record"},
            "payload": {"S": json.dumps(payload, default=str)},
        },
    )


@app.on_dynamodb_record(stream_arn=SAMPLE_STREAM_ARN, batch_size=10)
def record_stream(event: DynamoDBEvent) -> None:
    for record in event:
        pk = record.keys["PK"]["S"]
        if pk.startswith(PROBE_PREFIX):
            raw = record.to_dict()
            _record(
                "stream",
                pk.removeprefix(PROBE_PREFIX),
                {"event_name": raw["eventName"], "source_arn": raw["eventSourceARN"]},
            )


def _handle_sqs(body: dict[str, Any], receive_count: int) -> bool:
    """One sample message; False asks for redelivery."""
    if body.get("fail") == "always":
        return False
    if body.get("fail") == "first" and receive_count < 2:
        return False
    if "attach" in body:
        session = WsSession(body["user_id"], "e2e-token", 4102444800, 0, ("user",))
        wiring.connections().attach(body["attach"], session, wiring.clock().now())
    if "push_to_user" in body:
        body["delivered"] = wiring.websocket_sender().send_to_user(
            body["push_to_user"], body["message"]
        )
    _record("sqs", body["id"], {"body": body, "receive_count": receive_count})
    return True


@app.on_sqs_message(queue="e2e-sample", batch_size=5)
def record_sqs(event: SQSEvent) -> dict[str, Any]:
    failures = []
    for record in event:
        raw = record.to_dict()
        receive_count = int(raw["attributes"].get("ApproximateReceiveCount", "1"))
        if not _handle_sqs(json.loads(record.body), receive_count):
            failures.append({"itemIdentifier": raw["messageId"]})
    return {"batchItemFailures": failures}


@app.schedule(Rate(1, unit=Rate.MINUTES), name="e2e_tick")
def record_tick(event: Any) -> None:
    raw = event.to_dict()
    _record(
        "schedule", raw["id"], {"detail_type": raw["detail-type"], "resources": raw["resources"]}
    )
