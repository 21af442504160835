"""The event pump: what Lambda's event source mappings do, for SQS queues and table streams.

- SQS: short polls (moto's lock would make a long poll block every other moto call), one
  thread per queue with an idle backoff; deletes what succeeded, honours
  `batchItemFailures`; a failed message becomes visible again after `retry_delay_s` (Lambda
  waits the queue's visibility timeout; locally that would make a DLQ test take minutes),
  and moto moves it to the DLQ once `maxReceiveCount` is exceeded.
- Streams: one thread per streamed table; starts at LATEST on the open shards (the pump is
  up before the API, and a persisted data dir must not replay yesterday's records), follows
  new shards from TRIM_HORIZON; a failing batch is retried from the first failed record a
  few times, then logged and skipped (Lambda would retry until the record expires). Shards
  are read four times a second, as Lambda does, and at once again while a read fills a page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from chalice.app import Chalice, DynamoDBEventConfig, SQSEventConfig

from chalicelib.topology import QueueDef
from infra.local.appload import lambda_context
from infra.local.lambda_events import failed_item_ids, sqs_record, stream_record

log = logging.getLogger("pump")
Handler = Callable[[dict[str, Any], Any], Any]
STREAM_ATTEMPTS = 3
STREAM_PAGE = 100  # records per GetRecords (the API's maximum is 1,000)


@dataclass(frozen=True)
class Target:
    name: str
    handler: Handler
    batch_size: int
    batching_window_s: float = 0.0  # Lambda's MaximumBatchingWindowInSeconds (queues only)

    def invoke(self, event: dict[str, Any]) -> Any:
        return self.handler(event, lambda_context(self.name))


def queue_target(app: Chalice, queue: QueueDef) -> Target | None:
    """The app's handler for a queue: an `on_sqs_message` source, else `QueueDef.handler`."""
    for source in app.event_sources:
        if isinstance(source, SQSEventConfig):
            arn = source.queue_arn or ""
            if source.queue == queue.name or arn.endswith(f":{queue.name}"):
                handler = app.handler_map[source.name]
                return Target(source.name, handler, source.batch_size, queue.batching_window_s)
    if queue.handler in app.handler_map:
        handler = app.handler_map[queue.handler]
        return Target(queue.handler, handler, queue.batch_size, queue.batching_window_s)
    return None


def stream_targets(app: Chalice, table_name: str) -> list[Target]:
    """`on_dynamodb_record` handlers whose stream ARN names this table (or no table at all)."""
    targets = []
    for source in app.event_sources:
        if isinstance(source, DynamoDBEventConfig):
            arn = source.stream_arn or ""
            if ":table/" not in arn or f":table/{table_name}/" in arn:
                handler = app.handler_map[source.name]
                targets.append(Target(source.name, handler, source.batch_size))
    return targets


class Poller(threading.Thread):
    """A daemon loop: `poll_once()` returns how much it did; idle rounds back off (50 ms
    doubling to 1 s, so empty queues cost moto a few calls a second); a busy round polls
    again at once: with batch size 1 a 50 ms pause capped a queue at 20 messages/s, the
    backlog grew, and moto's SendMessage (which walks the whole queue) got slower per event."""

    min_wait_s = 0.05
    max_wait_s = 1.0

    def __init__(self, name: str, stop: threading.Event) -> None:
        super().__init__(name=name, daemon=True)
        self.stop = stop

    def poll_once(self) -> int:
        raise NotImplementedError

    def run(self) -> None:
        wait = self.min_wait_s
        while not self.stop.is_set():
            try:
                busy = self.poll_once()
            except Exception:
                log.exception("%s: poll failed", self.name)
                busy = 0
            if busy:
                wait = self.min_wait_s
                continue
            self.stop.wait(wait)
            wait = min(self.max_wait_s, wait * 2)


class QueuePoller(Poller):
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        target: Target,
        *,
        region: str,
        retry_delay_s: int,
        stop: threading.Event,
        parallel: int = 1,
    ) -> None:
        super().__init__(f"sqs:{queue_arn.rsplit(':', 1)[-1]}", stop)
        self.sqs, self.queue_url, self.queue_arn = sqs, queue_url, queue_arn
        self.target, self.region, self.retry_delay_s = target, region, retry_delay_s
        # Lambda runs several batches of one queue at once; `parallel` > 1 does so locally
        # (only for queues whose handlers do not care about order: workers.PARALLEL_BATCHES).
        self.pool = ThreadPoolExecutor(parallel, f"{self.name}-") if parallel > 1 else None

    def poll_once(self) -> int:
        # Up to 10 per receive whatever the batch size (as Lambda's poller does), handed to the
        # handler `batch_size` at a time: a backlog costs moto a tenth of the receive calls.
        messages = self._receive(10)
        if not messages:
            return 0
        size = max(1, self.target.batch_size)
        if len(messages) < size and self.target.batching_window_s > 0:
            # As Lambda's batching window: wait once for the batch to fill, then take what
            # came (one more receive, not a poll loop that would cost moto more than it saves).
            self.stop.wait(self.target.batching_window_s)
            messages += self._receive(min(10, size) - len(messages))
        batches = [messages[start : start + size] for start in range(0, len(messages), size)]
        failed: set[str] = set()
        results = self.pool.map(self._invoke, batches) if self.pool else map(self._invoke, batches)
        for ids in results:
            failed |= ids
        self._settle(messages, failed)
        return len(messages)

    def _receive(self, count: int) -> list[dict[str, Any]]:
        reply = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=0,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(reply.get("Messages", []))

    def _invoke(self, messages: list[dict[str, Any]]) -> set[str]:
        """The ids of the messages that failed in one handler invocation."""
        records = [sqs_record(m, self.queue_arn, self.region) for m in messages]
        ids = [r["messageId"] for r in records]
        try:
            return failed_item_ids(self.target.invoke({"Records": records}), ids)
        except Exception:
            log.exception(
                "%s: handler %s failed; the batch will be retried", self.name, self.target.name
            )
            return set(ids)

    def _settle(self, messages: list[dict[str, Any]], failed: set[str]) -> None:
        done = [m for m in messages if m["MessageId"] not in failed]
        retry = [m for m in messages if m["MessageId"] in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        if retry:
            log.warning("%s: %d message(s) left for redelivery", self.name, len(retry))
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": m["ReceiptHandle"],
                        "VisibilityTimeout": self.retry_delay_s,
                    }
                    for i, m in enumerate(retry)
                ],
            )


class StreamPoller(Poller):
    """Lambda reads each shard of a stream at a base rate of four times a second. So does
    this poller: the records written in a quarter of a second reach the handler as one batch
    (one PutEvents per 10 events and one counter write per batch, instead of a batch per
    booking when the next read follows the last at once). A read that fills a page means a
    backlog: the next one follows at once. Idle, it keeps the same rhythm (an event waits at
    most a round, not the second an idle backoff would reach)."""

    rescan_every = 20  # rounds between DescribeStream calls (new shards after a split)
    round_s = 0.25

    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        targets: list[Target],
        *,
        region: str,
        stop: threading.Event,
    ) -> None:
        super().__init__(f"stream:{stream_arn.split('/')[1]}", stop)
        self.streams, self.stream_arn = streams, stream_arn
        self.targets, self.region = targets, region
        self.iterators: dict[str, str] = {}
        self.last_sequence: dict[str, str] = {}
        self.finished: set[str] = set()
        self.rounds = 0
        self.backlog = False  # a read of the current round filled its page
        self.monotonic: Callable[[], float] = time.monotonic  # a test's clock may stand still

    def start_at_latest(self) -> None:
        """Called once before the API starts: open shards from now on, closed ones skipped."""
        for shard in self._shards():
            shard_id = shard["ShardId"]
            if "EndingSequenceNumber" in shard.get("SequenceNumberRange", {}):
                self.finished.add(shard_id)
            else:
                self.iterators[shard_id] = self._iterator(shard_id, "LATEST")

    def _shards(self) -> list[dict[str, Any]]:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        shards: list[dict[str, Any]] = description.get("Shards", [])
        return shards

    def _iterator(self, shard_id: str, kind: str) -> str:
        iterator: str = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=kind
        )["ShardIterator"]
        return iterator

    def _resume(self, shard_id: str) -> str:
        last = self.last_sequence.get(shard_id)
        if last is None:
            return self._iterator(shard_id, "LATEST")
        iterator: str = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn,
            ShardId=shard_id,
            ShardIteratorType="AFTER_SEQUENCE_NUMBER",
            SequenceNumber=last,
        )["ShardIterator"]
        return iterator

    def _discover(self) -> None:
        for shard in self._shards():
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators and shard_id not in self.finished:
                self.iterators[shard_id] = self._iterator(shard_id, "TRIM_HORIZON")

    def run(self) -> None:
        while not self.stop.is_set():
            started = self.monotonic()
            self.backlog = False
            try:
                self.poll_once()
            except Exception:
                log.exception("%s: poll failed", self.name)
            if not self.backlog:
                self.stop.wait(max(0.0, self.round_s - (self.monotonic() - started)))

    def poll_once(self) -> int:
        self.rounds += 1
        if self.rounds % self.rescan_every == 0 or not self.iterators:
            self._discover()
        delivered = 0
        for shard_id, iterator in list(self.iterators.items()):
            try:
                response = self.streams.get_records(ShardIterator=iterator, Limit=STREAM_PAGE)
            except ClientError as exc:  # e.g. an expired iterator: resume after the last record
                log.warning("%s: %s; resuming shard %s", self.name, exc, shard_id)
                self.iterators[shard_id] = self._resume(shard_id)
                continue
            records = response.get("Records", [])
            if records:
                self._deliver([stream_record(r, self.stream_arn, self.region) for r in records])
                self.last_sequence[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
                delivered += len(records)
                self.backlog = self.backlog or len(records) >= STREAM_PAGE
            next_iterator = response.get("NextShardIterator")
            if next_iterator:
                self.iterators[shard_id] = next_iterator
            else:
                del self.iterators[shard_id]
                self.finished.add(shard_id)
        return delivered

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        for target in self.targets:
            for start in range(0, len(records), max(1, target.batch_size)):
                self._deliver_batch(target, records[start : start + max(1, target.batch_size)])

    def _deliver_batch(self, target: Target, batch: list[dict[str, Any]]) -> None:
        pending = batch
        for attempt in range(1, STREAM_ATTEMPTS + 1):
            sequence = [r["dynamodb"].get("SequenceNumber", "") for r in pending]
            try:
                failed = failed_item_ids(target.invoke({"Records": pending}), sequence)
            except Exception:
                log.exception("%s: %s failed (attempt %d)", self.name, target.name, attempt)
                failed = set(sequence)
            if not failed:
                return
            # Like Lambda with ReportBatchItemFailures: resume from the first failed record.
            first = min(i for i, seq in enumerate(sequence) if seq in failed)
            pending = pending[first:]
            self.stop.wait(0.2 * attempt)
        log.error(
            "%s: %s dropped %d record(s) after %d attempts",
            self.name,
            target.name,
            len(pending),
            STREAM_ATTEMPTS,
        )
