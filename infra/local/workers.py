"""The workers process: the event pump (queues, streams) and the schedule ticker together.

Run: python -m infra.local.workers --app app --topology chalicelib.topology:TOPOLOGY
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from chalicelib.topology import BULK_QUEUE, Topology
from infra.local.appload import load_app, load_topology
from infra.local.pump import Poller, QueuePoller, StreamPoller, queue_target, stream_targets
from infra.local.ticker import Ticker

log = logging.getLogger("workers")
# Queues whose batches the pump runs several at a time, as Lambda would (issue 16): the bulk
# lane only. Every other queue keeps one batch at a time, in receive order (the waitlist's
# offers, for one, are easier to follow that way locally).
PARALLEL_BATCHES = {BULK_QUEUE.name: 3}
_BOTO = BotoConfig(retries={"max_attempts": 3, "mode": "standard"}, read_timeout=10)


def queue_pollers(
    app: Any, topology: Topology, *, retry_delay_s: int, region: str, stop: threading.Event
) -> list[Poller]:
    sqs = boto3.client("sqs", config=_BOTO)
    pollers: list[Poller] = []
    for queue in topology.queues:
        target = queue_target(app, queue)
        if target is None:
            log.warning("queue %s: no handler in the app; its messages stay queued", queue.name)
            continue
        url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        pollers.append(
            QueuePoller(
                sqs,
                url,
                arn,
                target,
                region=region,
                retry_delay_s=retry_delay_s,
                stop=stop,
                parallel=PARALLEL_BATCHES.get(queue.name, 1),
            )
        )
        log.info("queue %s -> %s", queue.name, target.name)
    return pollers


def stream_pollers(
    app: Any, topology: Topology, *, region: str, stop: threading.Event
) -> list[Poller]:
    dynamodb = boto3.client("dynamodb", config=_BOTO)
    streams = boto3.client("dynamodbstreams", config=_BOTO)
    pollers: list[Poller] = []
    for table in topology.tables:
        if not table.stream:
            continue
        name = os.environ.get(table.env_var, table.default_name)
        targets = stream_targets(app, name)
        if not targets:
            log.info("table %s: stream has no handler in the app", name)
            continue
        arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        poller = StreamPoller(streams, arn, targets, region=region, stop=stop)
        poller.start_at_latest()
        pollers.append(poller)
        log.info("stream of %s -> %s", name, ", ".join(t.name for t in targets))
    return pollers


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", default="app")
    parser.add_argument("--topology", default="chalicelib.topology:TOPOLOGY")
    parser.add_argument("--tick-scale", type=float, default=1.0)
    parser.add_argument("--tick-only", default="", help="comma-separated schedules to scale")
    parser.add_argument("--sqs-retry-delay", type=int, default=2)
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    app = load_app(args.app)
    topology = load_topology(args.topology)
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    threads: list[threading.Thread] = [
        *queue_pollers(app, topology, retry_delay_s=args.sqs_retry_delay, region=region, stop=stop),
        *stream_pollers(app, topology, region=region, stop=stop),
        Ticker(
            app,
            scale=args.tick_scale,
            only=frozenset(filter(None, args.tick_only.split(","))),
            region=region,
            stop=stop,
        ),
    ]
    for thread in threads:
        thread.start()
    if args.ready_file is not None:
        args.ready_file.write_text(str(os.getpid()))
    log.info("workers ready: %d thread(s)", len(threads))
    while not stop.wait(0.5):
        pass
    for thread in threads:
        thread.join(timeout=2)


if __name__ == "__main__":
    main()
