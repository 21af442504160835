"""The workers' dead-letter queues: what is in them (for admins) and moving messages back.

Peeking receives with a zero visibility timeout, so the messages stay where they are. A
redrive receives from the DLQ, sends each body to its source queue, and deletes it from the
DLQ only after the send succeeded (a crash in between duplicates, never loses; the workers
are idempotent).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.pipeline.operations import DeadLetter, DeadLetterQueue
from chalicelib.topology import QueueDef, Topology

PEEK_MAX = 10


def describe(message: dict[str, Any]) -> DeadLetter:
    body = str(message.get("Body", ""))
    name, event_id = _identify(body)
    attributes = message.get("Attributes", {})
    reason = message.get("MessageAttributes", {}).get("reason", {}).get("StringValue", "")
    return DeadLetter(
        message_id=str(message.get("MessageId", "")),
        sent_at=str(attributes.get("SentTimestamp", "")),
        receive_count=int(attributes.get("ApproximateReceiveCount", 0) or 0),
        event_name=name,
        event_id=event_id,
        reason=str(reason),
        body_excerpt=body[:500],
    )


def _identify(body: str) -> tuple[str, str]:
    """(event name, event id) of an EventBridge event, an envelope, or a delivery task."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(parsed, dict):
        return "", ""
    detail = parsed.get("detail")
    payload: dict[str, Any] = detail if isinstance(detail, dict) else parsed
    found = payload.get("metadata")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    if meta:
        return str(meta.get("event_name", "")), str(meta.get("event_id", ""))
    if payload.get("kind") == "webhook_delivery":
        return "webhook.delivery", str(payload.get("delivery_id", ""))
    return "", ""


class SqsDeadLetters:
    def __init__(self, client: Any, topology: Topology) -> None:
        self._client = client
        self._topology = topology

    def queue(self, name: str) -> QueueDef | None:
        for queue in self._topology.queues:
            if name in {queue.name, queue.dlq_name}:
                return queue
        return None

    def _url(self, name: str) -> str:
        return str(self._client.get_queue_url(QueueName=name)["QueueUrl"])

    def overview(self, *, peek: int = PEEK_MAX) -> list[DeadLetterQueue]:
        return [self.inspect(queue, peek=peek) for queue in self._topology.queues]

    def inspect(self, queue: QueueDef, *, peek: int = PEEK_MAX) -> DeadLetterQueue:
        url = self._url(queue.dlq_name)
        count = int(
            self._client.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"].get("ApproximateNumberOfMessages", 0)
        )
        messages: list[dict[str, Any]] = []
        if count and peek:
            messages = self._client.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=max(1, min(PEEK_MAX, peek)),
                VisibilityTimeout=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
        return DeadLetterQueue(queue.name, queue.dlq_name, count, [describe(m) for m in messages])

    def redrive(self, queue: QueueDef, *, max_messages: int) -> int:
        """Move up to `max_messages` from the DLQ back to the queue; returns how many moved."""
        source, dlq = self._url(queue.name), self._url(queue.dlq_name)
        moved = 0
        while moved < max_messages:
            batch = self._client.receive_message(
                QueueUrl=dlq,
                MaxNumberOfMessages=min(10, max_messages - moved),
                VisibilityTimeout=60,
            ).get("Messages", [])
            if not batch:
                break
            for message in batch:
                self._client.send_message(QueueUrl=source, MessageBody=message["Body"])
                self._client.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
        return moved
