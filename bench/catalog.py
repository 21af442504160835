"""Catalogue reads at 1,000 resources and 10,000 reservations (figures, not a test).

1. Seed (timed, printed):
   - 1,000 resources through the catalogue's own store (`ResourceStore.create`: the same
     transaction per resource as `POST /api/v1/resources`, minus HTTP and auth), 4 threads;
   - 10,000 reservations (10 per resource, one hour each, over 10 days) written DIRECTLY into
     DynamoDB Local with the store's key builders (occupancy + reservation + history items,
     and the day version items), BatchWriteItem, 4 threads. The API path is the booking
     benchmark's (bench/booking.py); at its rate 10,000 creates would take minutes.
   Seeding runs on a first stack whose DynamoDB Local keeps its data on tmpfs (-dbPath);
   the measurement runs on a second stack over the same data, whose event pump starts at
   the stream's LATEST: the seed's ~40,000 stream records would otherwise keep the event
   pipeline (and moto) busy for many minutes during the measurement.
2. Measure, 1 client then 8 concurrent clients (keep-alive httpx clients, one per thread):
   - `GET /api/v1/resources?limit=20` (first page), and 3 cursor pages after it;
   - the free-window search: `available_from`/`available_until` (one hour, 2 days ahead) +
     `tags=projector` + `capacity_min=4`, limit 20;
   - the busy-window search (issue 16): the same filters for the hour 3 days ahead at 10:00,
     where the seed books ~95% of the resources; also prints how many requests (following
     next_cursor) fill a page of 20.
   Prints p50/p95/p99 per phase. Target (2-core machine): p95 < 50 ms, flat under 8 clients.

Starts its own local stacks on free loopback ports and stops them; bounded in count and
time (a 15-minute deadline interrupts the run, and the stacks are still stopped).

Run: .venv/bin/python -m bench.catalog [--resources 1000] [--reservations 10000] [--requests 200]
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
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    # One bench user sends thousands of reads a minute: the API's per-user limit (issue 13)
    # would answer 429 part-way through the phases (as bench.booking --rate-limits off).
    "RATE_LIMIT_ENABLED": "false",
}.items():
    os.environ.setdefault(_name, _value)

import boto3  # noqa: E402
import httpx  # noqa: E402
import pytest  # noqa: E402

from bench.booking import Phase  # noqa: E402
from chalicelib import wiring  # noqa: E402
from chalicelib.domain.catalog.resources import Resource  # noqa: E402
from chalicelib.domain.reservations import (  # noqa: E402
    HistoryEntry,
    Reservation,
    ReservationStatus,
    TimeRange,
)
from tests.e2e.race_kit import TABLE, Target, _free_port, base_day, iso, register_users  # noqa: E402

TAGS = ("projector", "whiteboard", "video", "quiet")
DAYS = 10
BUSY_DAY, BUSY_HOUR, BUSY_SHARE = 3, 10, 0.95  # the busy-window phase's hour
DEADLINE_S = 900  # the whole run stops itself after this


@contextmanager
def own_stack(data_dir: Path | None) -> Iterator[tuple[Target, dict[str, int]]]:
    """The local stack on free ports, DynamoDB Local keeping its data in `data_dir`; with the
    pids of the processes to watch for idleness."""
    from infra.local.config import Ports, StackConfig
    from infra.local.stack import start_stack

    ports = Ports(*(_free_port() for _ in range(5)))
    state = Path(tempfile.mkdtemp(prefix="catalog-bench-"))
    config = StackConfig(ports=ports, state_dir=state, frontend_dir=None, data_dir=data_dir)
    with start_stack(config) as running:
        pids = {c.name: c.pid for c in running.children}
        yield Target(running.urls["api"], running.dynamodb_url), pids


@contextmanager
def store_env(target: Target) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        wiring.reset()
        try:
            yield
        finally:
            wiring.reset()


def make_resource(index: int, rng: random.Random, created: datetime) -> Resource:
    tags = tuple(
        t for t, share in zip(TAGS, (0.5, 0.3, 0.2, 0.4), strict=True) if rng.random() < share
    )
    return Resource(
        resource_id=f"cat-{index:04d}-{uuid.uuid4().hex[:6]}",
        name=f"Room {index:04d}",
        tags=tags,
        capacity=rng.randint(1, 20),
        created_at=created,
        updated_at=created,
    )


def seed_resources(target: Target, count: int) -> list[str]:
    from chalicelib.store.catalog.repository import ResourceStore

    rng = random.Random(7)
    created = datetime(2026, 1, 1, tzinfo=UTC)
    resources = [make_resource(i, rng, created) for i in range(count)]
    with store_env(target):
        repo = ResourceStore(wiring.cursors())
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(repo.create, resources))
    return [r.resource_id for r in resources]


def reservation_items(resource_id: str, rng: random.Random, user: str) -> list[dict[str, Any]]:
    """One resource's reservations (one per day, at a random hour) and its day versions."""
    from chalicelib.store.reservations.items import (
        DayVersionItem,
        day_sk,
        history_item,
        occupancy_item,
        reservation_item,
        resource_pk,
    )

    items: list[dict[str, Any]] = []
    created = datetime.now(UTC)
    for d in range(DAYS):
        hour = rng.randint(7, 18)
        if d == BUSY_DAY and rng.random() < BUSY_SHARE:
            hour = BUSY_HOUR
        start = base_day() + timedelta(days=d, hours=hour)
        reservation = Reservation(
            reservation_id=uuid.uuid4().hex,
            resource_id=resource_id,
            user_id=user,
            window=TimeRange(start, start + timedelta(hours=1)),
            status=ReservationStatus.ACTIVE,
            created_at=created,
        )
        entry = HistoryEntry(created, user, "created")
        items += [
            occupancy_item(reservation).serialize(),
            reservation_item(reservation, updated_at=created).serialize(),
            history_item(reservation.reservation_id, entry, uuid.uuid4().hex).serialize(),
            DayVersionItem(PK=resource_pk(resource_id), SK=day_sk(start.date()), ver=1).serialize(),
        ]
    return items


def seed_reservations(target: Target, resource_ids: list[str], per_resource: int) -> int:
    client = boto3.client("dynamodb", endpoint_url=target.dynamodb_url, region_name="us-east-1")
    rng = random.Random(11)
    user = f"bench-{uuid.uuid4().hex[:8]}"
    with store_env(target):
        batches: list[list[dict[str, Any]]] = []
        pending: list[dict[str, Any]] = []
        for rid in resource_ids:
            pending += reservation_items(rid, rng, user)[: 4 * per_resource]
        for first in range(0, len(pending), 25):
            batches.append(pending[first : first + 25])

    def write(batch: list[dict[str, Any]]) -> None:
        request = {TABLE: [{"PutRequest": {"Item": item}} for item in batch]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, batches))
    return per_resource * len(resource_ids)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_idle(pids: list[int], limit_s: float) -> float:
    """Seconds until the watched processes use < 10% of a CPU over 2 s (bounded)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        before = sum(cpu_seconds(p) for p in pids)
        time.sleep(2)
        if sum(cpu_seconds(p) for p in pids) - before < 0.2:
            break
    return time.monotonic() - started


def run_phase(
    name: str, target: Target, token: str, clients: int, total: int, path_of: Callable[[], str]
) -> Phase:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker(_: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=target.api_url, timeout=30, headers=headers) as http:
            http.get("/live")
            for _ in range(total // clients):
                started = time.perf_counter()
                response = http.get(path_of())
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    return Phase(name, clients, latencies, statuses, time.perf_counter() - started)


def cursor_paths(target: Target, token: str, pages: int) -> list[str]:
    """Paths of the pages after the first (following next_cursor)."""
    paths = []
    path = "/api/v1/resources?limit=20"
    with httpx.Client(base_url=target.api_url, headers={"Authorization": f"Bearer {token}"}) as h:
        for _ in range(pages):
            cursor = h.get(path).json().get("next_cursor")
            if not cursor:
                break
            path = str(httpx.URL("/api/v1/resources", params={"limit": 20, "cursor": cursor}))
            paths.append(path)
    return paths


def free_window_path(day: int = 2, hour: int = 10) -> str:
    start = base_day() + timedelta(days=day, hours=hour)
    params = {
        "limit": 20,
        "available_from": iso(start),
        "available_until": iso(start + timedelta(hours=1)),
        "tags": "projector",
        "capacity_min": 4,
    }
    return str(httpx.URL("/api/v1/resources", params=params))


def requests_per_page(target: Target, token: str, path: str, limit: int = 20) -> str:
    """How many requests (following next_cursor) it takes to collect `limit` items."""
    found, calls, url = 0, 0, path
    with httpx.Client(base_url=target.api_url, headers={"Authorization": f"Bearer {token}"}) as h:
        while calls < 50:
            body = h.get(url).json()
            calls += 1
            found += len(body.get("items", []))
            cursor = body.get("next_cursor")
            if found >= limit or not cursor:
                break
            url = str(httpx.URL(path).copy_merge_params({"cursor": cursor}))
    return f"busy-window search: {calls} request(s) for a page of {found} (limit {limit})"


def measure(target: Target, token: str, requests: int) -> list[Phase]:
    pages = cursor_paths(target, token, 3)
    counter = {"n": 0}
    lock = threading.Lock()

    def next_page() -> str:
        with lock:
            counter["n"] += 1
            return pages[counter["n"] % len(pages)]

    window = free_window_path()
    busy = free_window_path(BUSY_DAY, BUSY_HOUR)
    print(requests_per_page(target, token, busy))
    phases = [
        ("list first page", lambda: "/api/v1/resources?limit=20"),
        ("list cursor pages", next_page),
        ("free-window search", lambda: window),
        ("busy-window search", lambda: busy),
    ]
    results = []
    for name, path_of in phases:
        run_phase("warm-up", target, token, 8, 40, path_of)
        results.append(run_phase(name, target, token, 1, requests // 2, path_of))
        results.append(run_phase(name, target, token, 8, requests, path_of))
    return results


def seed(target: Target, resources: int, per_resource: int) -> str:
    started = time.perf_counter()
    ids = seed_resources(target, resources)
    resources_s = time.perf_counter() - started
    started = time.perf_counter()
    booked = seed_reservations(target, ids, per_resource)
    reservations_s = time.perf_counter() - started
    return (
        f"seed: {len(ids)} resources in {resources_s:.1f} s (store transactions, 4 threads); "
        f"{booked} reservations in {reservations_s:.1f} s (direct BatchWriteItem, 4 threads)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--reservations", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=200, help="requests per 8-client phase")
    args = parser.parse_args(argv)
    per_resource = min(DAYS, max(1, args.reservations // args.resources))
    # Past the deadline the main thread gets a KeyboardInterrupt: the stack is still stopped.
    timer = threading.Timer(DEADLINE_S, _thread.interrupt_main)
    timer.daemon = True
    timer.start()
    # Seed on one stack, measure on a second one over the same data: the direct seed writes
    # ~40,000 items whose stream records would keep the event pipeline (and moto, whose
    # SendMessage walks the whole queue) busy for many minutes; the second stack's pump
    # starts at the stream's LATEST, as on any restart. tmpfs keeps -dbPath near -inMemory.
    data_dir = Path(tempfile.mkdtemp(prefix="catalog-bench-", dir="/dev/shm"))
    try:
        with own_stack(data_dir) as (target, _):
            seeded = seed(target, args.resources, per_resource)
        with own_stack(data_dir) as (target, pids):
            idle_s = wait_for_idle([pids["workers"], pids["moto"], pids["dynamodb"]], 60)
            token = register_users(target, 1)[0]
            print(f"API {target.api_url}, DynamoDB {target.dynamodb_url}, {os.cpu_count()} CPUs")
            print(seeded)
            print(f"second stack idle after {idle_s:.0f} s")
            print(f"load before measuring: {Path('/proc/loadavg').read_text().strip()}")
            for phase in measure(target, token, args.requests):
                print(phase.report())
            print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    timer.cancel()


if __name__ == "__main__":
    main()
