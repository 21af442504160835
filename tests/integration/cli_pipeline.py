"""The CLI test server with its event pipeline: for commands that read what the workers
produce (notifications, audit entries, webhook deliveries, dead letters).

On AWS the stream and queue workers run within a second of a write; here nothing runs them,
so before every request under PIPELINE_OUTPUTS the server pumps the stream and the queues
until nothing moves (tests/integration/pipeline_driver.py). The CLI tests then see a
booking's notification or audit entry at once, without sleeping or polling. Outbound
webhook sends stay queued: the tests have no receiver and must not touch the network.

Requests are served one at a time: moto is not thread-safe, and a CLI that gives up on a
slow answer (its 30 s timeout on a loaded machine) must not leave a request running beside
the next one.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer

from tests.integration.pipeline_driver import Pipeline

PIPELINE_OUTPUTS = (
    "/api/v1/notifications",
    "/api/v1/audit",
    "/api/v1/webhooks",
    "/api/v1/admin/dead-letters",
    "/api/v1/analytics",  # analytics (issue 12)
)
NOT_PUMPED = ("reserver-webhook-deliveries",)


class ResumingPipeline(Pipeline):
    """Takes a fresh shard iterator after the last record read, on every read.

    moto restores a deep copy of its tables when a transaction fails, stream shard included:
    an iterator kept from before then reads a shard nobody writes to anymore.
    """

    last_sequence: str | None = None

    def stream_records(self) -> list[dict[str, Any]]:
        if self.last_sequence is not None:
            shards = self.streams.describe_stream(StreamArn=self.stream_arn)
            self._iterator = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shards["StreamDescription"]["Shards"][0]["ShardId"],
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=self.last_sequence,
            )["ShardIterator"]
        records = super().stream_records()
        if records:
            self.last_sequence = str(records[-1]["dynamodb"]["SequenceNumber"])
        return records


class CatchUpHandler(ChaliceRequestHandler):
    """One request at a time; the pipeline catches up before a read of its outputs."""

    lock = threading.Lock()
    pipeline: Pipeline | None = None

    def _generic_handle(self) -> None:
        with self.lock:
            if self.path.startswith(PIPELINE_OUTPUTS) and self.pipeline is not None:
                self.pipeline.run(skip=NOT_PUMPED)
            super()._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle


def serve_with_pipeline(server: LocalDevServer, app: Any, config: Config) -> None:
    """Swap the server's request handler for CatchUpHandler (before serve_forever)."""
    # Read from the stream's start: the tables were created a moment ago, for this server.
    CatchUpHandler.pipeline = ResumingPipeline(app)
    server.server.RequestHandlerClass = functools.partial(
        CatchUpHandler, app_object=app, config=config
    )
