"""Profile the busy-window free search in-process against DynamoDB Local (issue 16).

Starts the local stack on free ports with its workers paused, seeds it as bench/catalog.py
does (1,000 resources, 10,000 reservations; ~95% of the resources booked 10:00-11:00 three
days ahead), then runs the real app in THIS process (chalice.test.Client) against the stack's
DynamoDB Local: the busy-window search (`GET /api/v1/resources?available_from=...`, limit 20)
timed N times (p50/p95), its DynamoDB calls, and with `--profile` the top of a cProfile.

    .venv/bin/python -m bench.profile_search [--requests 30] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
from collections import Counter
from typing import Any

import pytest

from bench.booking import _stack_with_paused_workers
from bench.catalog import BUSY_DAY, BUSY_HOUR, free_window_path, seed
from bench.profile_booking import CallMeter, in_process_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="seed, print the DynamoDB URL and keep the stack until Enter (to measure two "
        "trees, e.g. before and after, on the same data with --dynamodb-url)",
    )
    parser.add_argument("--dynamodb-url", help="measure against this seeded DynamoDB Local")
    args = parser.parse_args(argv)
    os.environ["RATE_LIMIT_ENABLED"] = "false"
    if args.dynamodb_url:
        measure(args.dynamodb_url, args)
        return
    with _stack_with_paused_workers() as target:
        print(seed(target, args.resources, 10), flush=True)
        if args.serve:
            print(f"serving {target.dynamodb_url}", flush=True)
            input()
            return
        measure(target.dynamodb_url, args)


def measure(dynamodb_url: str, args: argparse.Namespace) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_url)
        env.setenv("STAGE", "local")
        run(args)


def run(args: argparse.Namespace) -> None:
    with in_process_app() as (client, token, meter):
        headers = {"Authorization": f"Bearer {token}"}
        for label, path in (
            ("busy", free_window_path(BUSY_DAY, BUSY_HOUR)),
            ("free", free_window_path()),
        ):
            for _ in range(3):  # warm-up
                assert client.http.get(path, headers=headers).status_code == 200
            meter.take()
            timed(client, path, headers, meter, label, args.requests, None)
            if args.profile and label == "busy":
                timed(
                    client, path, headers, meter, "profiled busy", args.requests, cProfile.Profile()
                )


def timed(
    client: Any,
    path: str,
    headers: dict[str, str],
    meter: CallMeter,
    label: str,
    requests: int,
    profiler: cProfile.Profile | None,
) -> None:
    walls: list[float] = []
    cpus: list[float] = []  # this process's CPU (all threads): the Python side of a request
    calls, found = Counter[str](), 0
    for _ in range(requests):
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        reply = client.http.get(path, headers=headers)
        if profiler:
            profiler.disable()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert reply.status_code == 200, reply.body
        found = len(reply.json_body["items"])
        names, _ = meter.take()
        calls.update(names)
    q = statistics.quantiles(walls, n=20, method="inclusive")
    per = {k: round(v / requests, 1) for k, v in calls.most_common()}
    print(
        f"{label}-window search: {found} items, p50 {statistics.median(walls):.0f} ms, "
        f"p95 {q[18]:.0f} ms, CPU p50 {statistics.median(cpus):.0f} ms over {requests}; "
        f"DynamoDB calls per request {per}"
    )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(50)
        stats.sort_stats("tottime").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
