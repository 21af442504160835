"""Bulk writes on the local stack (issue 16's table; figures, not a test).

1. 1,000 resources by CSV upload: one `POST /api/v1/resources/upload` (the route's row
   limit), timed from request to answer; `--uploads` repeats it with new names (median).
2. 10,000 reservations through the bulk API: `POST /api/v1/reservations/bulk`, 100 items per
   request, on 100 of those resources, with 1 client and then `--clients` clients (fresh
   slots each run), admin with `override`. Prints seconds and bookings per second. The event
   pipeline runs as it does in `make run` (its work is bench/backlog.py's figure).

Starts its own stack on free loopback ports (rate limits off, as in the issue's measurement)
and stops it; bounded in count and time.

Run: .venv/bin/python -m bench.writes [--bookings 10000] [--clients 4] [--uploads 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from bench.pipeline import own_running_stack
from tests.e2e.browser import ApiClient

PER_REQUEST = 100
MAX_RETRIES = 5
ROOMS = 100


def csv_of(prefix: str, count: int) -> bytes:
    header = "name,description,tags,capacity,building,floor,timezone\n"
    rows = (
        f"{prefix}-{n:04d},Bench room {n},bench;projector,{4 + n % 20},B{n % 7},{n % 5},"
        "Europe/Berlin\n"
        for n in range(count)
    )
    return (header + "".join(rows)).encode()


def upload(api: ApiClient, admin: str, prefix: str, count: int) -> tuple[float, list[str]]:
    body = csv_of(prefix, count)
    started = time.perf_counter()
    response = api.http.post(
        "/api/v1/resources/upload",
        content=body,
        headers={"Authorization": f"Bearer {admin}", "Content-Type": "text/csv"},
    )
    seconds = time.perf_counter() - started
    assert response.status_code == 201, response.text
    return seconds, list(response.json()["resource_ids"])


def slot(first_day: int, n: int, rooms: list[str]) -> dict[str, str]:
    """The n-th booking: room n % len(rooms), its (n // len(rooms))-th 30-minute slot."""
    room, k = n % len(rooms), n // len(rooms)
    day = date.today() + timedelta(days=first_day + k // 40)
    minutes = (k % 40) * 30
    end = minutes + 30
    return {
        "resource_id": rooms[room],
        "start_time": f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:00Z",
        "end_time": f"{day.isoformat()}T{end // 60:02d}:{end % 60:02d}:00Z",
    }


def post_bulk(url: str, admin: str, items: list[dict[str, str]]) -> int:
    """One `POST /reservations/bulk` (admin override); a 429 (booking contention between
    clients writing the same rooms) is retried after its Retry-After, as a real client would.
    Returns how many retries it took."""
    client = ApiClient(url)
    client.http.timeout = 300.0  # type: ignore[assignment]
    headers = {"Authorization": f"Bearer {admin}"}
    try:
        for retries in range(MAX_RETRIES + 1):
            response = client.http.post(
                "/api/v1/reservations/bulk",
                headers=headers,
                json={"items": items, "override": True},
            )
            if response.status_code != 429 or retries == MAX_RETRIES:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        assert response.status_code < 400, f"bulk: {response.status_code} {response.text}"
        return retries
    finally:
        client.close()


def bulk(
    url: str, admin: str, rooms: list[str], bookings: int, clients: int, day: int
) -> tuple[float, int]:
    """Seconds for all the requests, and how many 429s (booking contention between clients
    writing the same rooms) were retried after their Retry-After, as a real client would."""

    def one_request(first: int) -> int:
        items = [slot(day, n, rooms) for n in range(first, min(first + PER_REQUEST, bookings))]
        return post_bulk(url, admin, items)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        retried = sum(pool.map(one_request, range(0, bookings, PER_REQUEST)))
    return time.perf_counter() - started, retried


def load() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--uploads", type=int, default=3)
    args = parser.parse_args()
    os.environ["RATE_LIMIT_ENABLED"] = "false"
    with own_running_stack() as running:
        url = running.urls["api"]
        api = ApiClient(url, running.setup_token)
        admin = api.ensure_admin()
        api.http.timeout = 300.0  # type: ignore[assignment]
        times, rooms = [], []
        for n in range(args.uploads):
            seconds, ids = upload(api, admin, f"bench{n}", 1000)
            times.append(seconds)
            rooms = rooms or ids
            print(f"CSV upload {n + 1}: 1,000 resources in {seconds:.2f} s (load {load()})")
        print(
            f"1,000 resources by CSV upload: median {statistics.median(times):.2f} s"
            "  [target <= 2 s]"
        )
        rooms = rooms[:ROOMS]
        for clients, day in ((1, 20), (args.clients, 200)):
            seconds, retried = bulk(url, admin, rooms, args.bookings, clients, day)
            rate = args.bookings / seconds
            print(
                f"{args.bookings:,} reservations through the bulk API, {clients} client(s): "
                f"{seconds:.1f} s ({rate:.0f} /s, {retried} request(s) retried after 429, "
                f"load {load()})  [target >= 1,000 /s]"
            )
        api.close()


if __name__ == "__main__":
    main()
