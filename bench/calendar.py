"""Calendar feed cost against history (issue 12: "cost proportional to the window, not to the
user's history"): figures, not a test.

Two users with the same 20 reservations in the feed's default window (30 days back, 180
ahead); the second also has `--history` reservations (default 5,000) over the three years
before the window, written directly into DynamoDB Local with the store's key builders (as
bench/catalog.py seeds). Both feeds are read by their subscription URL (no bearer), 1 client
then 8; if the feed's cost followed the history, the second user's figures would be far worse.
Seeding and measuring run on two stacks over one tmpfs data dir (see bench/catalog.py: the
seed's stream records would otherwise keep the pipeline busy during the measurement).

Run: .venv/bin/python -m bench.calendar [--history 5000] [--requests 200]
"""

from __future__ import annotations

import _thread
import argparse
import shutil
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import httpx

from bench.booking import Phase
from bench.catalog import own_stack, run_phase, seed_resources, store_env, wait_for_idle
from chalicelib.domain.reservations import Reservation, ReservationStatus, TimeRange
from tests.e2e.race_kit import TABLE, Target, register_users

IN_WINDOW = 20
DEADLINE_S = 900


def _items(user_id: str, resource_id: str, starts: list[datetime]) -> list[dict[str, Any]]:
    from chalicelib.store.reservations.items import reservation_item

    created = datetime.now(UTC)
    return [
        reservation_item(
            Reservation(
                reservation_id=uuid.uuid4().hex,
                resource_id=resource_id,
                user_id=user_id,
                window=TimeRange(start, start + timedelta(hours=1)),
                status=ReservationStatus.COMPLETED,
                created_at=created,
            ),
            updated_at=created,
        ).serialize()
        for start in starts
    ]


def seed(target: Target, history: int) -> tuple[list[str], str]:
    """Two signed-in users (tokens); user 2 with `history` old reservations."""
    tokens = register_users(target, 2)
    [room] = seed_resources(target, 1)
    ids = []
    with httpx.Client(base_url=target.api_url, timeout=30) as http:
        for token in tokens:
            me = http.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
            ids.append(str(me.json()["id"]))
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    recent = [now + timedelta(days=d - 10, hours=1) for d in range(IN_WINDOW)]
    old = [now - timedelta(days=40, hours=3 * i) for i in range(history)]  # ~1.7 years back
    with store_env(target):
        items = _items(ids[0], room, recent) + _items(ids[1], room, recent + old)
    client = boto3.client("dynamodb", endpoint_url=target.dynamodb_url, region_name="us-east-1")

    def write(batch: list[dict[str, Any]]) -> None:
        request = {TABLE: [{"PutRequest": {"Item": item}} for item in batch]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, [items[i : i + 25] for i in range(0, len(items), 25)]))
    return tokens, f"seed: {len(items)} reservation items in {time.perf_counter() - started:.1f} s"


def feed_path(target: Target, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=target.api_url, timeout=30, headers=headers) as http:
        url = http.get("/api/v1/calendar/subscription-url").json()["url"]
        path = urlparse(url).path
        events = http.get(path).text.count("BEGIN:VEVENT")
    assert events == IN_WINDOW, f"{events} events in the feed, expected {IN_WINDOW}"
    return path


def measure(target: Target, tokens: list[str], requests: int) -> list[Phase]:
    results = []
    for label, token in (("feed, no history", tokens[0]), ("feed, long history", tokens[1])):
        path = feed_path(target, token)
        run_phase("warm-up", target, token, 8, 40, lambda p=path: p)
        results.append(run_phase(label, target, token, 1, requests // 2, lambda p=path: p))
        results.append(run_phase(label, target, token, 8, requests, lambda p=path: p))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200, help="requests per 8-client phase")
    args = parser.parse_args(argv)
    timer = threading.Timer(DEADLINE_S, _thread.interrupt_main)
    timer.daemon = True
    timer.start()
    data_dir = Path(tempfile.mkdtemp(prefix="calendar-bench-", dir="/dev/shm"))
    try:
        with own_stack(data_dir) as (target, _):
            tokens, seeded = seed(target, args.history)
        with own_stack(data_dir) as (target, pids):
            idle_s = wait_for_idle([pids["workers"], pids["moto"], pids["dynamodb"]], 60)
            print(f"API {target.api_url}; {seeded}; second stack idle after {idle_s:.0f} s")
            print(f"load before measuring: {Path('/proc/loadavg').read_text().strip()}")
            for phase in measure(target, tokens, args.requests):
                print(phase.report())
            print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    timer.cancel()


if __name__ == "__main__":
    main()
