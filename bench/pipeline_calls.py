"""What the event pipeline asks of DynamoDB and moto per interactive booking (issue 16).

Starts its own local stack, stops (SIGSTOP) its workers process, makes N creates through the
API, then runs the same pump (stream + queue pollers, infra/local/workers.py) in THIS
process (`--live`: during the creates, as the running stack does), with every AWS call
counted by the thread that made it (the stream poller, or the poller of one queue, whose
handler runs in it) and by operation, until the pipeline has been idle for a few seconds.
Empty polls are counted apart: they are the price of waiting. Also printed: the stream
records the relay read per create, by item type (most are the pipeline's own writes coming
back, which the relay maps to no event), and each poller thread's CPU.

    .venv/bin/python -m bench.pipeline_calls [--creates 200] [--live] [--jfr FILE]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

from bench.booking import Slots, run_phase
from bench.cpu_split import cpu_seconds, warmed_stack
from infra.local.appload import load_app, load_topology
from infra.local.config import child_env
from infra.local.stack import RunningStack
from infra.local.workers import queue_pollers, stream_pollers
from tests.e2e.race_kit import Target

IDLE_S = 4.0
POLLS = {"ReceiveMessage", "GetRecords"}


class CallCounter:
    """Wraps botocore's one entry point for API calls: (thread, service, operation) -> n."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str, str]] = Counter()
        self.empty: Counter[tuple[str, str]] = Counter()
        self.items: Counter[tuple[str, str, str]] = Counter()  # items a write call carried
        self.stream_types: Counter[str] = Counter()  # stream records read, by item type
        self.last_work = time.monotonic()
        self._lock = threading.Lock()
        self._original = BaseClient._make_api_call

    def install(self) -> None:
        counter, original = self, self._original

        def counted(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            reply = original(client, operation, params)
            service = client.meta.service_model.service_name
            counter.record(service, operation, reply, items_in(operation, params))
            return reply

        BaseClient._make_api_call = counted  # type: ignore[method-assign]

    def uninstall(self) -> None:
        BaseClient._make_api_call = self._original  # type: ignore[method-assign]

    def record(self, service: str, operation: str, reply: dict[str, Any], items: int) -> None:
        thread = threading.current_thread().name
        stem, _, suffix = thread.rpartition("_")  # a pool's threads: "<poller>-_<n>"
        thread = stem.rstrip("-") if suffix.isdigit() else thread
        empty = operation in POLLS and not (reply.get("Messages") or reply.get("Records"))
        with self._lock:
            if empty:
                self.empty[(thread, operation)] += 1
                return
            self.calls[(thread, service, operation)] += 1
            self.stream_types.update(_item_type(r) for r in reply.get("Records", ()))
            self.items[(thread, service, operation)] += items
            self.last_work = time.monotonic()


def _item_type(record: dict[str, Any]) -> str:
    change = record.get("dynamodb", {})
    image = change.get("NewImage") or change.get("OldImage") or {}
    return str(image.get("type", {}).get("S", "?"))


def items_in(operation: str, params: dict[str, Any]) -> int:
    """How many items a multi-item write carries (0 for the others)."""
    if operation == "TransactWriteItems":
        return len(params.get("TransactItems", []))
    if operation == "BatchWriteItem":
        return sum(len(requests) for requests in params.get("RequestItems", {}).values())
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--jfr", type=Path, help="record DynamoDB Local (Java Flight Recorder)")
    parser.add_argument(
        "--live",
        action="store_true",
        help="run the pump during the creates, as `make run` does (else after them: a backlog)",
    )
    args = parser.parse_args(argv)
    with warmed_stack("bench-calls-", users=1) as (stack, target, tokens, slots):
        workers = stack.child("workers").pid
        os.kill(workers, signal.SIGSTOP)
        try:
            counter, elapsed, cpu = count_pipeline(
                stack, target, tokens, slots, args.creates, args.jfr, live=args.live
            )
        finally:
            os.kill(workers, signal.SIGCONT)
    report(counter, args.creates, elapsed)
    print(f"{'CPU ms per create while the pipeline ran':44s}")
    for piece, seconds in cpu.items():
        print(f"  {piece:42s} {1000 * seconds / args.creates:8.1f}")


def pieces_cpu(stack: RunningStack) -> dict[str, float]:
    cpu = {name: cpu_seconds(stack.child(name).pid) for name in ("dynamodb", "moto")}
    cpu["pump and handlers (this process)"] = time.process_time()
    return cpu


def count_pipeline(
    stack: RunningStack,
    target: Target,
    tokens: list[str],
    slots: Slots,
    creates: int,
    jfr: Path | None = None,
    *,
    live: bool = False,
) -> tuple[CallCounter, float, dict[str, float]]:
    os.environ.update(child_env(stack.config, java=True))
    app, topology = load_app("app"), load_topology("chalicelib.topology:TOPOLOGY")
    region = os.environ["AWS_DEFAULT_REGION"]
    stop = threading.Event()
    streams = stream_pollers(app, topology, region=region, stop=stop)  # from LATEST: now
    if not live:
        print(run_phase("create", target, tokens, 1, creates, slots.next).report())
    queues = queue_pollers(app, topology, retry_delay_s=2, region=region, stop=stop)
    counter = CallCounter()
    counter.install()
    java = str(stack.child("dynamodb").pid)
    if jfr is not None:
        subprocess.run(
            ["jcmd", java, "JFR.start", "name=pipeline"], check=True, capture_output=True
        )
    before = pieces_cpu(stack)
    cpu: dict[str, float] = {}
    started = time.monotonic()
    try:
        for poller in (*streams, *queues):
            poller.start()
        if live:
            print(run_phase("create", target, tokens, 1, creates, slots.next).report())
        while time.monotonic() - counter.last_work < IDLE_S:
            time.sleep(0.2)
        cpu.update(threads_cpu())
    finally:
        stop.set()
        for poller in (*streams, *queues):
            poller.join(timeout=5)
        counter.uninstall()
    after = pieces_cpu(stack)
    if jfr is not None:
        stop_jfr = ["jcmd", java, "JFR.stop", "name=pipeline", f"filename={jfr.resolve()}"]
        subprocess.run(stop_jfr, check=True, capture_output=True)
        print(f"JFR recording of DynamoDB Local: {jfr} (jfr print --events jdk.ExecutionSample)")
    cpu = {**{piece: after[piece] - before[piece] for piece in before}, **cpu}
    return counter, counter.last_work - started, cpu


def threads_cpu() -> dict[str, float]:
    """CPU seconds of this process's live threads, by poller (a pool's threads summed)."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        utime, stime = (int(v) for v in fields[1].split()[11:13])
        stem, _, suffix = thread.name.rpartition("_")
        name = stem.rstrip("-") if suffix.isdigit() else thread.name
        if not name.startswith(("stream:", "sqs:")):
            continue  # the pollers started for this count, not the process's older threads
        key = f"  thread {name}"
        found[key] = found.get(key, 0.0) + (utime + stime) / tick
    return dict(found)


def report(counter: CallCounter, creates: int, elapsed_s: float) -> None:
    print(f"pipeline busy {elapsed_s:.1f} s for {creates} creates")
    print(f"{'thread':34s} {'service':10s} {'operation':28s} {'per create':>10s} items/call")
    totals: Counter[str] = Counter()
    for key, n in sorted(counter.calls.items()):
        thread, service, operation = key
        totals[service] += n
        items = f"{counter.items[key] / n:10.1f}" if counter.items[key] else ""
        print(f"{thread:34s} {service:10s} {operation:28s} {n / creates:10.2f} {items}")
    for service, n in sorted(totals.items()):
        print(f"{'all':34s} {service:10s} {'(total)':28s} {n / creates:10.2f}")
    records = sum(counter.stream_types.values())
    print(f"stream records read per create: {records / creates:.2f}, by item type:")
    for item_type, n in counter.stream_types.most_common():
        print(f"  {item_type:42s} {n / creates:8.2f}")
    for (thread, operation), n in sorted(counter.empty.items()):
        print(f"{thread:34s} {'(empty)':10s} {operation:28s} {n / creates:10.2f}")


if __name__ == "__main__":
    main()
