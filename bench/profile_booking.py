"""Profile one `POST /api/v1/reservations` in-process against DynamoDB Local (issue 16).

Starts the local stack on free ports with its workers paused (bench/booking.py
`--pause-workers`), then runs the real app in THIS process (chalice.test.Client) against the
stack's DynamoDB Local: the DynamoDB calls per create (by name), the wall time per create and
how much of it is DynamoDB round trips vs Python, and with `--profile` the top of a cProfile.

    .venv/bin/python -m bench.profile_booking [--creates 200] [--profile] [--rate-limits off]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from bench.booking import _stack_with_paused_workers
from tests.e2e.race_kit import base_day, iso, seed_resources


class CallMeter:
    """The DynamoDB operations of the app, their count and time spent on the wire."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.wire_s = 0.0
        self._started = 0.0

    def before(self, model: Any, **_: Any) -> None:
        self.names.append(str(model.name))
        self._started = time.perf_counter()

    def after(self, **_: Any) -> None:
        self.wire_s += time.perf_counter() - self._started

    def take(self) -> tuple[list[str], float]:
        names, wire = self.names, self.wire_s
        self.names, self.wire_s = [], 0.0
        return names, wire


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rate-limits", choices=("on", "off"), default="on")
    args = parser.parse_args(argv)
    os.environ["RATE_LIMIT_ENABLED"] = "true" if args.rate_limits == "on" else "false"
    with _stack_with_paused_workers() as target:
        resources = seed_resources(target, 20)
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
            env.setenv("STAGE", "local")
            run(resources, args)


@contextmanager
def in_process_app() -> Iterator[tuple[Any, str, CallMeter]]:
    """The app in this process (chalice.test.Client), a signed-in user's token, and a meter
    of its DynamoDB calls (the environment must already point at the stack's DynamoDB)."""
    from chalice.test import Client

    from app import app
    from chalicelib import wiring
    from chalicelib.store.table import TableItem
    from tests.factories import register_and_login

    wiring.reset()
    meter = CallMeter()
    with Client(app, stage_name="local") as client:
        token = register_and_login(client, f"prof{os.getpid()}")
        events = TableItem._get_connection().connection.client.meta.events
        events.register("before-call.dynamodb", meter.before)
        events.register("after-call.dynamodb", meter.after)
        yield client, token, meter


def run(resources: list[str], args: argparse.Namespace) -> None:
    with in_process_app() as (client, token, meter):
        day = base_day() + timedelta(days=40)
        slots = (
            (rid, day + timedelta(days=d, hours=h))
            for d in range(300)
            for h in range(0, 24, 2)
            for rid in resources
        )

        def create() -> None:
            rid, start = next(slots)
            body = {
                "resource_id": rid,
                "start_time": iso(start),
                "end_time": iso(start + timedelta(minutes=45)),
            }
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": os.urandom(8).hex(),
            }
            reply = client.http.post("/api/v1/reservations", headers=headers, body=json.dumps(body))
            assert reply.status_code == 201, reply.body

        for _ in range(40):  # warm-up: caches, connections, DynamoDB Local's JIT
            create()
        meter.take()
        walls, wires, cpus, calls = [], [], [], Counter[str]()
        profiler = cProfile.Profile() if args.profile else None
        for _ in range(args.creates):
            started, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            create()
            if profiler:
                profiler.disable()
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            names, wire = meter.take()
            wires.append(wire * 1000)
            calls[" ".join(names)] += 1
        p50 = statistics.median(walls)
        wire50 = statistics.median(wires)
        print(f"creates={args.creates} rate limits {args.rate_limits}")
        print(f"wall p50 {p50:.1f} ms, on the DynamoDB wire p50 {wire50:.1f} ms")
        python = statistics.median(w - x for w, x in zip(walls, wires, strict=True))
        print(f"Python (wall - wire) p50 {python:.1f} ms, CPU p50 {statistics.median(cpus):.1f} ms")
        for sequence, n in calls.most_common():
            print(f"{n:5d} x {len(sequence.split())} calls: {sequence}")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())


if __name__ == "__main__":
    main()
