"""Background work after a bulk load, and a booking made during that backlog (issue 16).

1. `--bookings` reservations (default 10,000) through `POST /api/v1/reservations/bulk`,
   100 per request, 4 clients, on 50 rooms (admin with `override`, so night slots count).
2. As soon as the last bulk request answered: one ordinary user books one slot with
   `POST /api/v1/reservations` and waits for its notification (`GET /api/v1/notifications`).
3. The queues' depths (visible + in flight + delayed, every queue of the topology) are sampled
   every 0.5 s until all are empty for 3 s in a row after the booking's notification was seen:
   "seconds until idle" counts from the last bulk answer to the first of those empty samples.
   Per queue: its peak depth and when it last held a message (the breakdown by queue).

Prints:
    background work after 10,000 bookings: seconds until idle: N s
    booking during backlog notified in N s

Run: .venv/bin/python -m bench.pipeline --backlog 10000
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import boto3

from bench.writes import post_bulk
from tests.e2e.browser import USER_PASSWORD, ApiClient, create_room, unique

ROOMS = 50
PER_REQUEST = 100
CLIENTS = 4
IDLE_SAMPLES = 6  # 3 s of empty queues
NOTIFY_TIMEOUT_S = 900.0


def bulk_window(n: int) -> tuple[int, str, str]:
    """The n-th booking: room n % ROOMS, its (n // ROOMS)-th 30-minute slot from 30 days on."""
    room, k = n % ROOMS, n // ROOMS
    day = date.today() + timedelta(days=30 + k // 40)
    minutes = (k % 40) * 30
    start = f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:00Z"
    end_min = minutes + 30
    end = f"{day.isoformat()}T{end_min // 60:02d}:{end_min % 60:02d}:00Z"
    return room, start, end


def bulk_load(url: str, admin: str, rooms: list[str], bookings: int) -> float:
    """Book everything; returns the seconds it took."""

    def one_request(first: int) -> int:
        items = []
        for n in range(first, min(first + PER_REQUEST, bookings)):
            room, start, end = bulk_window(n)
            items.append({"resource_id": rooms[room], "start_time": start, "end_time": end})
        return post_bulk(url, admin, items)

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        retried = sum(pool.map(one_request, range(0, bookings, PER_REQUEST)))
    if retried:
        print(f"bulk load: {retried} request(s) retried after a 429 (booking contention)")
    return time.monotonic() - started


class QueueWatch:
    """The depth of every queue of the topology (DLQs apart), sampled on demand."""

    def __init__(self, aws_url: str) -> None:
        from chalicelib.topology import TOPOLOGY

        self.sqs = boto3.client("sqs", endpoint_url=aws_url)
        self.urls = {
            q.name: self.sqs.get_queue_url(QueueName=q.name)["QueueUrl"] for q in TOPOLOGY.queues
        }
        self.peak: dict[str, int] = dict.fromkeys(self.urls, 0)
        self.last_busy: dict[str, float] = dict.fromkeys(self.urls, 0.0)

    def depth(self, since: float) -> int:
        total = 0
        for name, url in self.urls.items():
            attrs = self.sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            depth = sum(int(v) for v in attrs.values())
            self.peak[name] = max(self.peak[name], depth)
            if depth:
                self.last_busy[name] = time.monotonic() - since
            total += depth
        return total


def interactive_booking(api: ApiClient, token: str, room: str) -> tuple[str, float]:
    day = date.today() + timedelta(days=9)
    body = {
        "resource_id": room,
        "start_time": f"{day.isoformat()}T09:00:00Z",
        "end_time": f"{day.isoformat()}T09:30:00Z",
    }
    reservation_id = str(
        api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"]
    )
    return reservation_id, time.monotonic()


def notified(api: ApiClient, token: str, reservation_id: str) -> bool:
    items = api.call("GET", "/api/v1/notifications?limit=5", token)["items"]
    return any(i["data"].get("reservation_id") == reservation_id for i in items)


def run_backlog(url: str, aws_url: str, admin: str, bookings: int) -> dict[str, Any]:
    api = ApiClient(url)
    rooms = [create_room(api, admin)["resource_id"] for _ in range(ROOMS)]
    own_room = create_room(api, admin)["resource_id"]
    username = unique("backlog")
    api.call("POST", "/api/v1/register", json={"username": username, "password": USER_PASSWORD})
    token = api.login(username, USER_PASSWORD)
    watch = QueueWatch(aws_url)

    load_s = bulk_load(url, admin, rooms, bookings)
    loaded_at = time.monotonic()
    depth_after_load = watch.depth(loaded_at)
    reservation_id, booked_at = interactive_booking(api, token, own_room)
    notified_s: float | None = None
    empty_since: float | None = None
    empty_samples = 0
    while True:
        now = time.monotonic()
        if notified_s is None:
            if notified(api, token, reservation_id):
                notified_s = time.monotonic() - booked_at
            elif now - booked_at > NOTIFY_TIMEOUT_S:
                raise RuntimeError(f"booking {reservation_id} not notified in {NOTIFY_TIMEOUT_S} s")
        depth = watch.depth(loaded_at)
        if depth == 0 and notified_s is not None:
            empty_samples += 1
            empty_since = empty_since if empty_since is not None else now
            if empty_samples >= IDLE_SAMPLES:
                break
        else:
            empty_samples, empty_since = 0, None
        time.sleep(0.5 if notified_s is not None else 0.05)
    api.close()
    assert empty_since is not None
    return {
        "bookings": bookings,
        "load_s": load_s,
        "depth_after_load": depth_after_load,
        "notified_s": notified_s,
        "idle_s": empty_since - loaded_at,
        "peak": watch.peak,
        "last_busy": watch.last_busy,
    }


def report(result: dict[str, Any]) -> None:
    n = result["bookings"]
    print(f"bulk load: {n:,} bookings in {result['load_s']:.1f} s ({n / result['load_s']:.0f} /s)")
    print(f"queued when the load finished: {result['depth_after_load']:,} message(s)")
    print(f"{'queue':<30} {'peak depth':>10} {'last busy at':>13}")
    for name, peak in result["peak"].items():
        print(f"{name:<30} {peak:>10,} {result['last_busy'][name]:>11.1f} s")
    print(
        f"background work after {n:,} bookings: seconds until idle: {result['idle_s']:.1f} s"
        "  [target <= 60 s]"
    )
    print(f"booking during backlog notified in {result['notified_s']:.2f} s  [target <= 5 s]")
