"""Live update latency on the local stack (figures, not a test).

50 WebSocket subscribers (10 users x 5 connections, `websockets` client) watch one room; a
booker books it once per sample, one booking after another. For each booking: the time from
the API's 201 until the `slot.taken` entry reaches each subscriber's socket. Prints p50 / p95
/ max over every (booking, subscriber) pair, and over the last subscriber of each booking.
Target: p95 < 1 s.

The path measured: DynamoDB Local stream -> event pump -> stream handler -> PutEvents (moto
EventBridge) -> rule -> SQS `reserver-live` -> pump -> live worker (listeners, one batch
read of their sessions, 50 posts to `@connections`) -> WebSocket stand-in -> client.

Without arguments it starts its own stack on free ports and stops it afterwards; with
`--url` / `--ws-url` it measures a running stack (`make run`), as bench/pipeline.py does.

Run: .venv/bin/python -m bench.live [--samples 30] [--subscribers 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from websockets.sync.client import ClientConnection, connect

from bench.pipeline import admin_token, own_running_stack, slot
from tests.e2e.browser import ADMIN_PASSWORD, ADMIN_USERNAME, USER_PASSWORD, ApiClient, unique
from tests.e2e.browser import create_room as new_room

TIMEOUT_S = 15.0
PER_USER = 5
TARGET_S = 1.0


class Subscriber(threading.Thread):
    """Reads one socket; records when each `slot.taken` (by start time) arrived."""

    def __init__(self, ws: ClientConnection) -> None:
        super().__init__(daemon=True)
        self.ws = ws
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()

    def run(self) -> None:
        try:
            for raw in self.ws:
                now = time.monotonic()
                message = json.loads(raw)
                for entry in message.get("events", []) if message.get("type") == "live" else []:
                    if entry["event"] == "slot.taken":
                        with self.lock:
                            self.arrived.setdefault(entry["start_time"][:16], now)
        except Exception:  # the socket closed at the end of the run
            return

    def seen(self, start: str) -> float | None:
        with self.lock:
            return self.arrived.get(start[:16])


def subscribe(ws_url: str, token: str, room_id: str, opened: ExitStack) -> Subscriber:
    ws = opened.enter_context(connect(ws_url))
    asks = ({"action": "auth", "token": token}, {"action": "subscribe", "resource_id": room_id})
    for message in asks:
        ws.send(json.dumps(message))
        reply = json.loads(ws.recv(timeout=10))
        assert reply["type"] in {"authenticated", "subscribed"}, reply
    return Subscriber(ws)


def measure_one(
    api: ApiClient, token: str, room_id: str, subscribers: list[Subscriber], n: int
) -> list[float]:
    start, end = slot(n)
    body = {"resource_id": room_id, "start_time": start, "end_time": end}
    api.call("POST", "/api/v1/reservations", token, json=body)
    created = time.monotonic()
    while True:
        seen = [s.seen(start) for s in subscribers]
        if all(t is not None for t in seen):
            return [t - created for t in seen if t is not None]
        if time.monotonic() - created > TIMEOUT_S:
            missing = sum(t is None for t in seen)
            raise RuntimeError(f"booking {n}: {missing} subscriber(s) got nothing in {TIMEOUT_S} s")
        time.sleep(0.002)


def summary(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    verdict = "OK" if p95 < TARGET_S else "ABOVE TARGET"
    return (
        f"{label:<34} n={len(ordered):<5} p50={statistics.median(ordered) * 1000:6.0f} ms  "
        f"p95={p95 * 1000:6.0f} ms  max={ordered[-1] * 1000:6.0f} ms  [{verdict}: p95 < 1 s]"
    )


def run(url: str, ws_url: str, setup_token: str | None, args: argparse.Namespace) -> None:
    api = ApiClient(url, setup_token)
    admin = admin_token(api, args.admin_user, args.admin_password)
    room_id = str(new_room(api, admin)["resource_id"])
    users = []
    for _ in range(max(1, args.subscribers // PER_USER)):
        username = unique("watch")
        api.register(username)
        users.append(api.login(username, USER_PASSWORD))
    booker = unique("booker")
    api.register(booker)
    token = api.login(booker, USER_PASSWORD)
    with ExitStack() as opened:
        subscribers = [
            subscribe(ws_url, users[i % len(users)], room_id, opened)
            for i in range(args.subscribers)
        ]
        for subscriber in subscribers:
            subscriber.start()
        measure_one(api, token, room_id, subscribers, 0)  # warm-up
        results = [
            measure_one(api, token, room_id, subscribers, n) for n in range(1, args.samples + 1)
        ]
    print(f"{len(subscribers)} subscribers, {args.samples} bookings, one after another")
    print(summary("201 -> slot.taken, every socket", [t for r in results for t in r]))
    print(summary("201 -> slot.taken, last socket", [max(r) for r in results]))
    api.close()


@contextmanager
def stack_or_url(args: argparse.Namespace) -> Iterator[tuple[str, str, str | None]]:
    if args.url:
        yield args.url, args.ws_url, os.environ.get("RESERVER_SETUP_TOKEN")
        return
    with own_running_stack() as running:
        yield running.urls["api"], running.urls["ws"], running.setup_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running stack's API (default: start one)")
    parser.add_argument("--ws-url", default="ws://127.0.0.1:8001", help="with --url")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--admin-user", default=ADMIN_USERNAME)
    parser.add_argument("--admin-password", default=ADMIN_PASSWORD)
    args = parser.parse_args()
    with stack_or_url(args) as (url, ws_url, token):
        run(url, ws_url, token, args)


if __name__ == "__main__":
    main()
