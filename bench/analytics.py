"""Analytics reads at 1,000 resources and 10,000 reservations (figures, not a test).

1. Seed on a first local stack (DynamoDB Local keeping its data on tmpfs), as
   bench/catalog.py does: 1,000 resources through the catalogue's store, 10,000 one-hour
   reservations written directly with the store's key builders (10 per resource over 10
   days), spread over 50 owners, one of them a real signed-up user; statuses mixed (70 %
   active, 15 % completed, 8 % no-show, 7 % cancelled).
2. Backfill: the `rebuild-analytics` job's code (`AnalyticsRecorder.rebuild`) builds the
   counters from the table (timed, printed): the seed bypassed the event pipeline.
3. Measure on a second stack over the same data (its event pump starts at the stream's
   LATEST), every analytics endpoint for the 10-day range, as the admin (everyone's figures)
   and as the user (their own), with 1 and then 8 concurrent keep-alive clients.
   Prints p50/p95/p99 per endpoint. Target (2-core machine): p95 < 200 ms, flat under 8.

Run: .venv/bin/python -m bench.analytics [--resources 1000] [--requests 80]
"""

from __future__ import annotations

import _thread
import argparse
import os
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx

from bench.booking import Phase
from bench.catalog import (
    DAYS,
    _free_port,
    reservation_items,
    run_phase,
    seed_resources,
    store_env,
    wait_for_idle,
)
from tests.e2e.race_kit import TABLE, Target, base_day

DEADLINE_S = 1500
OWNERS = 50
ADMIN = {"username": "benchadmin", "password": "Bench-admin-password-1"}
USER = {"username": "benchuser", "password": "Bench-user-password-1"}
_STATUSES = [("active", 70), ("completed", 15), ("no_show", 8), ("cancelled", 7)]


@contextmanager
def own_stack(data_dir: Path) -> Iterator[tuple[Target, dict[str, int], str | None]]:
    from infra.local.config import Ports, StackConfig
    from infra.local.stack import start_stack

    ports = Ports(*(_free_port() for _ in range(5)))
    state = Path(tempfile.mkdtemp(prefix="analytics-bench-"))
    config = StackConfig(ports=ports, state_dir=state, frontend_dir=None, data_dir=data_dir)
    with start_stack(config) as running:
        pids = {c.name: c.pid for c in running.children}
        target = Target(running.urls["api"], running.dynamodb_url)
        yield target, pids, running.setup_token


def sign_up(target: Target, setup_token: str | None) -> str:
    """The first admin (setup) and one user; returns the user's id."""
    with httpx.Client(base_url=target.api_url, timeout=30) as http:
        body = {"setup_token": setup_token, **ADMIN}
        assert http.post("/api/v1/setup/initialize", json=body).status_code < 300
        assert http.post("/api/v1/register", json=USER).status_code == 201
        token = http.post("/api/v1/token", json=USER).json()["access_token"]
        me = http.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        return str(me.json()["id"])


def token_of(target: Target, who: dict[str, str]) -> str:
    with httpx.Client(base_url=target.api_url, timeout=30) as http:
        return str(http.post("/api/v1/token", json=who).json()["access_token"])


def _status(rng: random.Random) -> str:
    return rng.choices([s for s, _ in _STATUSES], [w for _, w in _STATUSES])[0]


def seed_reservations(target: Target, resource_ids: list[str], user_id: str) -> int:
    client = boto3.client("dynamodb", endpoint_url=target.dynamodb_url, region_name="us-east-1")
    rng = random.Random(12)
    owners = [user_id, *(f"bench-owner-{i}" for i in range(OWNERS - 1))]
    pending: list[dict[str, Any]] = []
    with store_env(target):
        for rid in resource_ids:
            for item in reservation_items(rid, rng, rng.choice(owners)):
                if item.get("type", {}).get("S") == "reservation":
                    item["status"] = {"S": _status(rng)}
                pending.append(item)
    batches = [pending[i : i + 25] for i in range(0, len(pending), 25)]

    def write(batch: list[dict[str, Any]]) -> None:
        request = {TABLE: [{"PutRequest": {"Item": item}} for item in batch]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, batches))
    return DAYS * len(resource_ids)


def backfill(target: Target) -> dict[str, int]:
    from chalicelib import wiring

    with store_env(target):
        return wiring.analytics_recorder().rebuild()


def endpoints() -> list[tuple[str, str]]:
    first = base_day().date()
    span = f"from={first.isoformat()}&to={(first + timedelta(days=DAYS - 1)).isoformat()}"
    base = "/api/v1/analytics"
    return [
        ("dashboard", f"{base}/dashboard?{span}"),
        ("utilisation", f"{base}/utilisation?{span}"),
        ("utilisation by tag", f"{base}/utilisation?{span}&group=tag"),
        ("booked-vs-used", f"{base}/booked-vs-used?{span}"),
        ("peaks", f"{base}/peaks?{span}&tz=Europe/Berlin"),
        ("popular", f"{base}/popular?{span}"),
        ("cancellations", f"{base}/cancellations?{span}"),
        ("user-patterns", f"{base}/user-patterns?{span}"),
        ("export utilisation", f"{base}/export/utilisation.csv?{span}"),
    ]


def measure(target: Target, tokens: dict[str, str], requests: int) -> list[Phase]:
    results = []
    for role, token in tokens.items():
        for name, path in endpoints():
            if role == "user" and name == "user-patterns":
                continue  # admins only
            label = f"{role}: {name}"
            # One request alone first: it fills the process's caches (catalogue, open hours,
            # totals) without 8 clients computing the same thing at once on a loaded machine.
            run_phase("warm-up", target, token, 1, 1, lambda p=path: p)
            run_phase("warm-up", target, token, 8, 16, lambda p=path: p)
            results.append(run_phase(label, target, token, 1, requests // 2, lambda p=path: p))
            results.append(run_phase(label, target, token, 8, requests, lambda p=path: p))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=80, help="requests per 8-client phase")
    args = parser.parse_args(argv)
    resources = args.resources  # DAYS (10) reservations each
    timer = threading.Timer(DEADLINE_S, _thread.interrupt_main)
    timer.daemon = True
    timer.start()
    data_dir = Path(tempfile.mkdtemp(prefix="analytics-bench-", dir="/dev/shm"))
    try:
        with own_stack(data_dir) as (target, _, setup_token):
            user_id = sign_up(target, setup_token)
            started = time.perf_counter()
            ids = seed_resources(target, resources)
            seeded = seed_reservations(target, ids, user_id)
            seed_s = time.perf_counter() - started
            started = time.perf_counter()
            rebuilt = backfill(target)
            rebuild_s = time.perf_counter() - started
        with own_stack(data_dir) as (target, pids, _):
            idle_s = wait_for_idle([pids["workers"], pids["moto"], pids["dynamodb"]], 60)
            tokens = {"admin": token_of(target, ADMIN), "user": token_of(target, USER)}
            print(f"API {target.api_url}, DynamoDB {target.dynamodb_url}, {os.cpu_count()} CPUs")
            print(f"seed: {len(ids)} resources, {seeded} reservations in {seed_s:.1f} s")
            print(f"backfill (rebuild-analytics): {rebuilt} in {rebuild_s:.1f} s")
            print(f"second stack idle after {idle_s:.0f} s")
            print(f"load before measuring: {Path('/proc/loadavg').read_text().strip()}")
            for phase in measure(target, tokens, args.requests):
                print(phase.report(), flush=True)
            print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    timer.cancel()


if __name__ == "__main__":
    main()
