"""The event pump's polling rhythm: queues are polled again at once while there is work and
back off when idle; streams are read four times a second, at once while a read fills a page."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from moto import mock_aws

from infra.local.pump import STREAM_PAGE, Poller, QueuePoller, StreamPoller, Target


class RecordingStop(threading.Event):
    """A stop event that records each wait instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0.0)
        return self.is_set()


class ScriptedPoller(Poller):
    def __init__(self, script: list[int], stop: RecordingStop) -> None:
        super().__init__("scripted", stop)
        self.script = script
        self.calls = 0

    def poll_once(self) -> int:
        busy = self.script[self.calls] if self.calls < len(self.script) else 0
        self.calls += 1
        if self.calls >= len(self.script):
            self.stop.set()
        return busy


def test_a_busy_queue_is_polled_again_at_once_and_an_idle_one_backs_off() -> None:
    # Given a queue with work for three rounds, then nothing for five
    stop = RecordingStop()
    poller = ScriptedPoller([1, 1, 1, 0, 0, 0, 0, 0], stop)
    # When the poller runs
    poller.run()
    # Then the busy rounds did not pause at all, and the idle ones doubled their pause
    assert poller.calls == 8
    assert stop.waits == [0.05, 0.1, 0.2, 0.4, 0.8]


def test_the_idle_backoff_is_capped_and_resets_when_work_arrives() -> None:
    # Given a long idle spell, one message, then idle again
    stop = RecordingStop()
    poller = ScriptedPoller([0, 0, 0, 0, 0, 0, 0, 1, 0, 0], stop)
    # When the poller runs
    poller.run()
    # Then the pause never exceeds a second, and restarts at 50 ms after the work
    assert max(stop.waits) == Poller.max_wait_s
    assert stop.waits[-2:] == [0.05, 0.1]


class ArrivalsDuringTheWindow(RecordingStop):
    """While the poller waits for its batch to fill, more messages arrive."""

    def __init__(self, sqs: Any, queue_url: str, arrivals: int) -> None:
        super().__init__()
        self.sqs, self.queue_url, self.arrivals = sqs, queue_url, arrivals

    def wait(self, timeout: float | None = None) -> bool:
        for n in range(self.arrivals):
            self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=f"late {n}")
        self.arrivals = 0
        return super().wait(timeout)


def poll_with_late_arrivals(window_s: float) -> tuple[int, list[float], list[list[str]]]:
    """One message queued, three more arriving while the poller waits; one poll of a target
    taking batches of 10 with this batching window. Returns what it handled, the waits it
    made, and the batches its handler got."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="background")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="first")
    batches: list[list[str]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        batches.append([record["body"] for record in event["Records"]])
        return {"batchItemFailures": []}

    stop = ArrivalsDuringTheWindow(sqs, url, arrivals=3)
    target = Target("worker", handler, batch_size=10, batching_window_s=window_s)
    arn = "arn:aws:sqs:us-east-1:123456789012:background"
    poller = QueuePoller(sqs, url, arn, target, region="us-east-1", retry_delay_s=0, stop=stop)
    return poller.poll_once(), stop.waits, batches


@mock_aws
def test_a_batching_window_waits_once_for_the_batch_to_fill() -> None:
    # Given a target that waits up to a second to fill batches of 10 (as Lambda's
    # MaximumBatchingWindowInSeconds), one message queued and three more on their way
    handled, waits, batches = poll_with_late_arrivals(1.0)
    # Then it waited the window once and handed all four to the handler in one batch
    assert waits == [1.0]
    assert handled == 4 and batches == [["first", "late 0", "late 1", "late 2"]]


@mock_aws
def test_without_a_window_a_partial_batch_goes_at_once() -> None:
    handled, waits, batches = poll_with_late_arrivals(0.0)
    assert handled == 1 and waits == [] and batches == [["first"]]


class WritesDuringTheRound(RecordingStop):
    """Between two stream reads, the app writes `per_round[n]` items; stops after them."""

    def __init__(self, table: Any, per_round: list[int]) -> None:
        super().__init__()
        self.table, self.per_round, self.written = table, per_round, 0

    def write(self, count: int) -> None:
        with self.table.batch_writer() as batch:
            for _ in range(count):
                batch.put_item(Item={"PK": f"item {self.written}", "SK": "x"})
                self.written += 1

    def wait(self, timeout: float | None = None) -> bool:
        super().wait(timeout)
        if self.per_round:
            self.write(self.per_round.pop(0))
        else:
            self.set()
        return self.is_set()


def run_stream_poller(first: int, per_round: list[int]) -> tuple[list[float], list[int]]:
    """A streamed moto table with `first` items written after the poller opened its shard;
    the poller runs until `per_round` is used up. Returns its waits and the batch sizes its
    handler got."""
    dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
    table = dynamodb.create_table(
        TableName="streamed",
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    batches: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        batches.append(len(event["Records"]))

    stop = WritesDuringTheRound(table, per_round)
    # moto routes stream calls by this host (botocore's default one is the table's)
    streams = boto3.client(
        "dynamodbstreams",
        region_name="us-east-1",
        endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com",
    )
    target = Target("relay", handler, batch_size=1000)
    poller = StreamPoller(streams, table.latest_stream_arn, [target], region="us-east-1", stop=stop)
    poller.monotonic = lambda: 0.0  # a read takes no time: each wait is the whole round
    poller.start_at_latest()
    stop.write(first)
    poller.run()
    return stop.waits, batches


@mock_aws
def test_the_stream_is_read_four_times_a_second_so_a_rounds_writes_are_one_batch() -> None:
    # Given 3 items written, then 5 and 4 more while the poller waits between its reads
    waits, batches = run_stream_poller(3, [5, 4])
    # Then each read handed what a quarter of a second brought as one batch, and each round
    # waited out its quarter
    assert batches == [3, 5, 4]
    assert waits == [StreamPoller.round_s] * 3


@mock_aws
def test_a_full_page_means_a_backlog_and_the_next_read_follows_at_once() -> None:
    # Given 250 items waiting (two full pages and half a page)
    waits, batches = run_stream_poller(250, [])
    # Then the pages were read back to back; the short one ended the round, and the rest of
    # its quarter was waited out (not read again at once)
    assert batches == [STREAM_PAGE, STREAM_PAGE, 50]
    assert waits == [StreamPoller.round_s]
