"""Booking throughput and latency over real HTTP on DynamoDB Local (figures, not a test).

Phases (each request on a keep-alive connection, one httpx client per thread):
1. create, 1 client: sequential 201s on distinct free slots;
2. create, 8 clients: the same, concurrently (slots spread over resources and days, so the
   clients contend on day versions only as much as real users of 20 resources would);
3. 409, 1 client and 8 clients: requests that overlap an existing booking.
Prints throughput and p50/p95/p99 per phase. Targets (DESIGN/brief, 2-core machine):
>= 100 creates/s at 8 clients with p99 < 150 ms; 409 p95 < 30 ms.

Without arguments it starts its own local stack on free ports (tests/e2e/race_kit.py) and
stops it afterwards. With `--url` and `--dynamodb-url` it measures a running stack
(`make run`: --url http://127.0.0.1:8000 --dynamodb-url http://127.0.0.1:8010).

Run: .venv/bin/python -m bench.booking [--creates 1200] [--conflicts 400] [--rate-limits off]
     [--quotas on]  (on: three global quota rules no booking reaches, so every create also
     reads the user's usage and charges three counters inside its transaction)
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)

import httpx  # noqa: E402

from tests.e2e.race_kit import (  # noqa: E402
    Target,
    base_day,
    iso,
    own_stack,
    register_users,
    seed_resources,
)

if TYPE_CHECKING:
    from infra.local.stack import RunningStack

RESOURCES = 20


@dataclass
class Phase:
    name: str
    clients: int
    latencies_ms: list[float]
    statuses: dict[int, int]
    wall_s: float

    def report(self) -> str:
        lat = sorted(self.latencies_ms)
        q = statistics.quantiles(lat, n=100, method="inclusive")
        rate = len(lat) / self.wall_s
        return (
            f"{self.name:<22} clients={self.clients:<2} n={len(lat):<5} {rate:7.1f} req/s   "
            f"p50={q[49]:6.1f} ms  p95={q[94]:6.1f} ms  p99={q[98]:6.1f} ms  "
            f"max={lat[-1]:6.1f} ms  statuses={dict(sorted(self.statuses.items()))}"
        )


class Slots:
    """Distinct free windows: resource x day x hour, handed out thread-safely."""

    def __init__(self, resources: list[str]) -> None:
        day = base_day() + timedelta(days=40)
        self._iter: Iterator[tuple[str, str, str]] = (
            (
                rid,
                iso(day + timedelta(days=d, hours=h)),
                iso(day + timedelta(days=d, hours=h, minutes=45)),
            )
            for d in range(300)
            for h in range(0, 24, 2)
            for rid in resources
        )
        self._lock = threading.Lock()

    def next(self) -> dict[str, str]:
        with self._lock:
            rid, start, end = next(self._iter)
        return {"resource_id": rid, "start_time": start, "end_time": end}


def run_phase(
    name: str,
    target: Target,
    tokens: list[str],
    clients: int,
    total: int,
    body_of: Callable[[], dict[str, str]],
    *,
    keyed: bool = True,
) -> Phase:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    per_client = total // clients

    def worker(index: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
        with httpx.Client(base_url=target.api_url, timeout=30) as http:
            http.get("/live")  # open the keep-alive connection outside the measurement
            for _ in range(per_client):
                body = body_of()
                if keyed:
                    headers["Idempotency-Key"] = uuid.uuid4().hex
                started = time.perf_counter()
                response = http.post("/api/v1/reservations", json=body, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    return Phase(name, clients, latencies, statuses, time.perf_counter() - started)


@contextmanager
def target_from(args: argparse.Namespace) -> Iterator[Target]:
    if args.url:
        yield Target(args.url, args.dynamodb_url)
        return
    if not args.pause_workers:
        with own_stack() as started:
            yield started
        return
    with _stack_with_paused_workers() as started:
        yield started


@contextmanager
def _stack_with_paused_workers() -> Iterator[Target]:
    """The request path alone (see `paused_stack`): its API and DynamoDB Local."""
    with paused_stack() as running:
        yield Target(running.urls["api"], running.dynamodb_url)


@contextmanager
def paused_stack() -> Iterator[RunningStack]:
    """The stack with its stream/queue workers stopped (SIGSTOP) while measuring, so the
    event pipeline's own DynamoDB and moto work does not share the two cores; they are
    resumed (SIGCONT) before the stack stops, and catch up from the stream."""
    import signal
    import tempfile
    from pathlib import Path

    from infra.local.config import Ports, StackConfig
    from infra.local.stack import start_stack
    from tests.e2e.conftest import free_port

    ports = Ports(*(free_port() for _ in range(5)))
    state = Path(tempfile.mkdtemp(prefix="bench-booking-"))
    with start_stack(StackConfig(ports=ports, state_dir=state, frontend_dir=None)) as running:
        workers = running.child("workers").pid
        os.kill(workers, signal.SIGSTOP)
        try:
            yield running
        finally:
            os.kill(workers, signal.SIGCONT)


def seed_quota_rules(target: Target) -> None:
    """Three global rules far above what the bench books (weekly hours, daily count,
    concurrent), written straight into the stack's table: every create then charges three
    counters in its transaction and reads the user's usage first (docs/quotas.md)."""
    import pytest

    from chalicelib import wiring
    from chalicelib.domain.quotas.rules import QuotaRule
    from chalicelib.store.quotas.repository import QuotaStore

    rules = [
        QuotaRule("bench-hours", "Bench hours", "hours", 10_000 * 60, "week"),
        QuotaRule("bench-count", "Bench count", "count", 100_000, "day"),
        QuotaRule("bench-open", "Bench open", "concurrent", 100_000),
    ]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        wiring.reset()
        store = QuotaStore()
        for rule in rules:
            store.put_rule(rule, datetime.now(UTC))
    wiring.reset()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="API of a running stack (default: start one)")
    parser.add_argument("--dynamodb-url", default="http://127.0.0.1:8010")
    parser.add_argument("--creates", type=int, default=1200, help="creates in the 8-client run")
    parser.add_argument("--conflicts", type=int, default=400)
    parser.add_argument(
        "--pause-workers",
        action="store_true",
        help="measure the request path alone: pause the event pipeline's workers meanwhile",
    )
    parser.add_argument(
        "--rate-limits",
        choices=("on", "off"),
        default="on",
        help="API rate limits (issue 13) of the stack it starts: on (shipped limits) or off",
    )
    parser.add_argument(
        "--quotas",
        choices=("on", "off"),
        default="off",
        help="booking quotas (issue 13): on seeds three global rules no booking reaches",
    )
    args = parser.parse_args(argv)
    # Read by the stack this starts (its children inherit the environment).
    os.environ["RATE_LIMIT_ENABLED"] = "true" if args.rate_limits == "on" else "false"
    with target_from(args) as target:
        resources = seed_resources(target, RESOURCES)
        if args.quotas == "on":
            seed_quota_rules(target)
        tokens = register_users(target, 8)
        slots = Slots(resources)
        # Warm-up: imports, connections and DynamoDB Local's JIT, not measured.
        run_phase("warm-up", target, tokens, 8, 80, slots.next)
        taken = slots.next()
        results = [
            run_phase("create", target, tokens, 1, args.creates // 4, slots.next),
            run_phase("create", target, tokens, 8, args.creates, slots.next),
        ]
        run_phase("setup", target, tokens, 1, 1, lambda: taken)
        conflicting = lambda: taken  # noqa: E731
        results += [
            run_phase("409", target, tokens, 1, args.conflicts // 2, conflicting, keyed=False),
            run_phase("409", target, tokens, 8, args.conflicts, conflicting, keyed=False),
            run_phase("409 + key (recorded)", target, tokens, 8, args.conflicts, conflicting),
        ]
        print(f"API {target.api_url}, DynamoDB {target.dynamodb_url}, {os.cpu_count()} CPUs")
        print(f"rate limits {args.rate_limits}, quotas {args.quotas}")
        for phase in results:
            print(phase.report())


if __name__ == "__main__":
    main()
