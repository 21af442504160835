"""Send work items to an SQS queue (optionally delayed) or straight to its dead-letter queue."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Protocol

MAX_DELAY_S = 900  # SQS's DelaySeconds limit


class TaskQueue(Protocol):
    def enqueue(self, task: dict[str, Any], *, delay_s: int = 0) -> None: ...

    def dead_letter(self, task: dict[str, Any], *, reason: str) -> None: ...


class SqsTaskQueue:
    def __init__(self, client: Any, queue_name: str, dlq_name: str) -> None:
        self._client = client
        self._queue_name = queue_name
        self._dlq_name = dlq_name

    @lru_cache(maxsize=4)  # noqa: B019 - one adapter per queue for the process's lifetime
    def _url(self, name: str) -> str:
        return str(self._client.get_queue_url(QueueName=name)["QueueUrl"])

    def enqueue(self, task: dict[str, Any], *, delay_s: int = 0) -> None:
        self._client.send_message(
            QueueUrl=self._url(self._queue_name),
            MessageBody=json.dumps(task, separators=(",", ":")),
            DelaySeconds=max(0, min(MAX_DELAY_S, int(delay_s))),
        )

    def dead_letter(self, task: dict[str, Any], *, reason: str) -> None:
        self._client.send_message(
            QueueUrl=self._url(self._dlq_name),
            MessageBody=json.dumps(task, separators=(",", ":")),
            MessageAttributes={"reason": {"DataType": "String", "StringValue": reason[:256]}},
        )
