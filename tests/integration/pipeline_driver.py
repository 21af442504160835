"""Drive the event pipeline in-process, as Lambda would: moto's table stream -> the app's
stream handler -> EventBridge (moto delivers to the rule's SQS targets) -> the app's queue
handlers, honouring `batchItemFailures` and SQS's redrive to the DLQ.

Kept free of pytest so the e2e suite and scripts can reuse it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
from chalice.app import Chalice

from chalicelib.topology import STREAM_HANDLER, TOPOLOGY
from infra.local.appload import lambda_context
from infra.local.lambda_events import sqs_record, stream_record

# Newer botocore asks for account-scoped stream endpoints that moto 5.2 does not route.
STREAMS_ENDPOINT = "https://streams.dynamodb.us-east-1.amazonaws.com"
REGION = "us-east-1"


@dataclass
class Outcome:
    invoked: int = 0
    failed_ids: list[str] = field(default_factory=list)
    raised: bool = False


class Pipeline:
    def __init__(self, app: Chalice, table_name: str = "reserver-main") -> None:
        self.app = app
        self.sqs = boto3.client("sqs", region_name=REGION)
        self._urls: dict[str, str] = {}
        self.streams = boto3.client(
            "dynamodbstreams", region_name=REGION, endpoint_url=STREAMS_ENDPOINT
        )
        ddb = boto3.client("dynamodb", region_name=REGION)
        self.stream_arn = ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        shard = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"][
            "Shards"
        ][0]["ShardId"]
        self._iterator = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]

    # --- the stream -----------------------------------------------------------------------

    def stream_records(self) -> list[dict[str, Any]]:
        """New stream records (Lambda-shaped) since the last call."""
        response = self.streams.get_records(ShardIterator=self._iterator)
        self._iterator = response["NextShardIterator"]
        return [stream_record(r, self.stream_arn, REGION) for r in response.get("Records", [])]

    def pump_stream(self) -> int:
        records = self.stream_records()
        if records:
            handler = self.app.handler_map[STREAM_HANDLER]
            handler({"Records": records}, lambda_context(STREAM_HANDLER))
        return len(records)

    # --- queues ---------------------------------------------------------------------------

    def url(self, queue_name: str) -> str:
        # Queue URLs never change within a test: one lookup each, not one per receive.
        if queue_name not in self._urls:
            self._urls[queue_name] = str(self.sqs.get_queue_url(QueueName=queue_name)["QueueUrl"])
        return self._urls[queue_name]

    def receive(self, queue_name: str, max_messages: int = 10) -> list[dict[str, Any]]:
        return list(
            self.sqs.receive_message(
                QueueUrl=self.url(queue_name),
                MaxNumberOfMessages=max_messages,
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
        )

    def invoke(self, queue_name: str, messages: list[dict[str, Any]]) -> Outcome:
        """Run the queue's handler on these messages; settle them like the event source."""
        queue = TOPOLOGY.queue(queue_name)
        arn = f"arn:aws:sqs:{REGION}:123456789012:{queue_name}"
        records = [sqs_record(m, arn, REGION) for m in messages]
        handler = self.app.handler_map[queue.handler]
        outcome = Outcome(invoked=len(records))
        try:
            response = handler({"Records": records}, lambda_context(queue.handler)) or {}
            outcome.failed_ids = [
                str(f["itemIdentifier"]) for f in response.get("batchItemFailures", [])
            ]
        except Exception:
            outcome.raised = True
            outcome.failed_ids = [r["messageId"] for r in records]
        self._settle(queue_name, messages, set(outcome.failed_ids))
        return outcome

    def _settle(self, queue_name: str, messages: list[dict[str, Any]], failed: set[str]) -> None:
        url = self.url(queue_name)
        for message in messages:
            if message["MessageId"] in failed:  # visible again at once: the retry is next
                self.sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def pump_queue(self, queue_name: str) -> int:
        messages = self.receive(queue_name, TOPOLOGY.queue(queue_name).batch_size)
        if messages:
            self.invoke(queue_name, messages)
        return len(messages)

    def run(self, *, rounds: int = 20, skip: tuple[str, ...] = ()) -> int:
        """Pump the stream and every queue until nothing moves (or `rounds` is spent)."""
        moved_total = 0
        for _ in range(rounds):
            moved = self.pump_stream()
            for queue in TOPOLOGY.queues:
                if queue.name not in skip:
                    while self.pump_queue(queue.name):
                        moved += 1
            moved_total += moved
            if not moved:
                break
        return moved_total

    def dead_letters(self, queue_name: str) -> list[dict[str, Any]]:
        dlq = TOPOLOGY.queue(queue_name).dlq_name
        return self.receive(dlq)

    def bodies(self, queue_name: str) -> list[dict[str, Any]]:
        """Peek at a queue's messages (they stay queued)."""
        messages = self.receive(queue_name)
        url = self.url(queue_name)
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        return [json.loads(m["Body"]) for m in messages]
