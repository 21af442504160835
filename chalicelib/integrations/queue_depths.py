"""How many messages wait in each worker queue and its DLQ (SQS approximate counts)."""

from __future__ import annotations

from typing import Any

from chalicelib.services.pipeline.metrics import QueueDepth
from chalicelib.topology import Topology

_ATTRIBUTES = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]


class SqsQueueDepths:
    def __init__(self, client: Any, topology: Topology) -> None:
        self._client = client
        self._topology = topology
        self._urls: dict[str, str] = {}

    def _attributes(self, name: str) -> dict[str, Any]:
        if name not in self._urls:
            self._urls[name] = str(self._client.get_queue_url(QueueName=name)["QueueUrl"])
        answer = self._client.get_queue_attributes(
            QueueUrl=self._urls[name], AttributeNames=_ATTRIBUTES
        )
        return dict(answer.get("Attributes", {}))

    def depths(self) -> list[QueueDepth]:
        found = []
        for queue in self._topology.queues:
            live, dead = self._attributes(queue.name), self._attributes(queue.dlq_name)
            found.append(
                QueueDepth(
                    queue=queue.name,
                    depth=int(live.get("ApproximateNumberOfMessages", 0) or 0),
                    in_flight=int(live.get("ApproximateNumberOfMessagesNotVisible", 0) or 0),
                    dead_letters=int(dead.get("ApproximateNumberOfMessages", 0) or 0),
                )
            )
        return found
