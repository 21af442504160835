"""Profile `POST /api/v1/reservations/bulk` (100 bookings) in-process against DynamoDB Local
(issue 16, session 12).

Starts the local stack on free ports with its workers paused, runs the real app in THIS
process against the stack's DynamoDB Local as an admin (override, as bench/writes.py), and
prints per request: wall, CPU, time on the DynamoDB wire, the DynamoDB calls by name and
with `--profile` the top of a cProfile.

    .venv/bin/python -m bench.profile_bulk [--requests 5] [--profile]
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
from collections.abc import Callable
from datetime import timedelta

import pytest

from bench.booking import _stack_with_paused_workers
from bench.profile_booking import CallMeter
from tests.e2e.race_kit import base_day, iso, seed_resources

PER_REQUEST = 100


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    os.environ["RATE_LIMIT_ENABLED"] = "false"
    with _stack_with_paused_workers() as target:
        rooms = seed_resources(target, 20)
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
            env.setenv("STAGE", "local")
            from chalicelib import wiring
            from chalicelib.store.catalog import blackouts

            wiring.reset()
            blackouts.start_counts(rooms)  # as a CSV upload leaves them (bench/writes.py)
            run(rooms, args)


def run(rooms: list[str], args: argparse.Namespace) -> None:
    from chalice.test import Client

    from app import app
    from chalicelib import wiring
    from chalicelib.store.table import TableItem
    from tests.factories import auth_headers, setup_admin

    wiring.reset()
    meter = CallMeter()
    with Client(app, stage_name="local") as client:
        token = setup_admin(client)
        events = TableItem._get_connection().connection.client.meta.events
        events.register("before-call.dynamodb", meter.before)
        events.register("after-call.dynamodb", meter.after)
        counter = iter(range(10**9))
        day0 = base_day() + timedelta(days=40)

        def one() -> None:
            items = []
            for _ in range(PER_REQUEST):
                n = next(counter)
                room, k = n % len(rooms), n // len(rooms)
                start = day0 + timedelta(days=k // 40, minutes=(k % 40) * 30)
                items.append(
                    {
                        "resource_id": rooms[room],
                        "start_time": iso(start),
                        "end_time": iso(start + timedelta(minutes=30)),
                    }
                )
            body = json.dumps({"items": items, "override": True})
            reply = client.http.post(
                "/api/v1/reservations/bulk", headers=auth_headers(token), body=body
            )
            assert reply.status_code == 201, reply.body

        one()  # warm-up
        meter.take()
        measure(one, meter, args.requests, f"bulk requests of {PER_REQUEST} bookings", args)


def measure(
    work: Callable[[], None], meter: CallMeter, n: int, what: str, args: argparse.Namespace
) -> None:
    """Run `work` n times (profiled with `args.profile`); print wall, CPU and DynamoDB wire
    p50, the DynamoDB calls per run by name and the profile's top."""
    calls = Counter[str]()
    profiler = cProfile.Profile() if args.profile else None
    samples = []  # (wall, CPU, on the wire) per run, in ms
    for _ in range(n):
        wall, cpu = _timed(work, profiler)
        names, wire = meter.take()
        calls.update(names)
        samples.append((wall, cpu, wire * 1000))
    walls, cpus, wires = (list(column) for column in zip(*samples, strict=True))
    print(f"{n} {what}")
    print(
        f"wall p50 {statistics.median(walls):.0f} ms, CPU p50 {statistics.median(cpus):.0f} ms,"
        f" DynamoDB wire p50 {statistics.median(wires):.0f} ms"
    )
    print(f"DynamoDB calls per run: {sum(calls.values()) / n:.1f}")
    for name, count in calls.most_common():
        print(f"  {count / n:6.1f} {name}")
    if profiler:
        for key, lines in (("cumulative", 60), ("tottime", 30)):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(lines)
            print(out.getvalue())


def _timed(work: Callable[[], None], profiler: cProfile.Profile | None) -> tuple[float, float]:
    """Wall and CPU milliseconds of `work` (profiled when a profiler is given)."""
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is None:
        work()
    else:
        profiler.runcall(work)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


if __name__ == "__main__":
    main()
