"""Event pipeline latency on the local stack (figures, not a test).

For each booking: the time from the API's 201 until (a) the booking's notification is listed
by `GET /api/v1/notifications`, and (b) the signed webhook reaches a local receiver. Bookings
are made one after another so each measures the pipeline, not a queue behind it. Prints
p50 / p95 / max for both. Target: p95 < 2 s.

The path measured: DynamoDB Local stream -> event pump -> stream handler -> PutEvents (moto
EventBridge) -> rule -> SQS -> pump -> notify worker / webhook fan-out -> deliveries queue ->
delivery worker -> HTTP POST.

Without arguments it starts its own stack on free ports and stops it afterwards. With `--url`
it measures a running stack (`make run`: --url http://127.0.0.1:8000) whose first admin is
`--admin-user` / `--admin-password` (created if the stack has none yet, with the setup token
`make run` printed, given in RESERVER_SETUP_TOKEN).

Run: .venv/bin/python -m bench.pipeline [--samples 30]

With `--backlog N` (issue 16) it measures instead the background work after N bookings made
through the bulk API, and a booking made during that backlog (bench/backlog.py):
.venv/bin/python -m bench.pipeline --backlog 10000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)

from tests.e2e.browser import (  # noqa: E402
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    USER_PASSWORD,
    ApiClient,
    create_room,
    unique,
)
from tests.integration.webhook_receiver import Receiver, running_receiver  # noqa: E402

if TYPE_CHECKING:
    from infra.local.stack import RunningStack

TIMEOUT_S = 15.0
POLL_S = 0.01


@contextmanager
def own_running_stack() -> Iterator[RunningStack]:
    from infra.local.config import Ports, StackConfig
    from infra.local.stack import start_stack
    from tests.e2e.conftest import free_port

    ports = Ports(*(free_port() for _ in range(5)))
    state = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    with start_stack(StackConfig(ports=ports, state_dir=state, frontend_dir=None)) as running:
        yield running


@contextmanager
def own_stack() -> Iterator[tuple[str, str | None]]:
    with own_running_stack() as running:
        yield running.urls["api"], running.setup_token


def admin_token(api: ApiClient, username: str, password: str) -> str:
    if not api.setup_complete():
        body = {"setup_token": api.setup_token, "username": username, "password": password}
        api.call("POST", "/api/v1/setup/initialize", json=body)
    return api.login(username, password)


def slot(n: int) -> tuple[str, str]:
    """The n-th 30-minute slot, from 08:00 on days ten days ahead and later."""
    day = date.today() + timedelta(days=10 + n // 20)
    minutes = 8 * 60 + (n % 20) * 30
    start = f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:00Z"
    end_minutes = minutes + 30
    end = f"{day.isoformat()}T{end_minutes // 60:02d}:{end_minutes % 60:02d}:00Z"
    return start, end


def measure_one(
    api: ApiClient, token: str, resource_id: str, receiver: Receiver, n: int
) -> tuple[float, float]:
    start, end = slot(n)
    seen_hooks = len(receiver.received)
    body = {"resource_id": resource_id, "start_time": start, "end_time": end}
    reservation_id = api.call("POST", "/api/v1/reservations", token, json=body)["reservation_id"]
    created = time.monotonic()
    notified = hooked = 0.0
    while not (notified and hooked):
        now = time.monotonic()
        if now - created > TIMEOUT_S:
            raise RuntimeError(
                f"booking {reservation_id}: after {TIMEOUT_S} s, notified={bool(notified)} "
                f"webhook={bool(hooked)}"
            )
        if not hooked and len(receiver.received) > seen_hooks:
            hooked = now
        if not notified:
            items = api.call("GET", "/api/v1/notifications?limit=5", token)["items"]
            if any(i["data"].get("reservation_id") == reservation_id for i in items):
                notified = time.monotonic()
        time.sleep(POLL_S)
    return notified - created, hooked - created


def summary(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    verdict = "OK" if p95 < 2.0 else "ABOVE TARGET"
    return (
        f"{label:<28} n={len(ordered):<4} p50={statistics.median(ordered) * 1000:7.0f} ms  "
        f"p95={p95 * 1000:7.0f} ms  max={ordered[-1] * 1000:7.0f} ms  [{verdict}: p95 < 2 s]"
    )


def run(
    url: str, setup_token: str | None, samples: int, admin_user: str, admin_password: str
) -> None:
    api = ApiClient(url, setup_token)
    admin = admin_token(api, admin_user, admin_password)
    room = create_room(api, admin)
    username = unique("bench")
    api.call("POST", "/api/v1/register", json={"username": username, "password": USER_PASSWORD})
    token = api.login(username, USER_PASSWORD)
    with running_receiver() as receiver:
        allow = {"network": "127.0.0.1/32", "port": receiver.port, "note": "bench receiver"}
        entry = api.call("POST", "/api/v1/admin/webhook-allowlist", admin, json=allow)
        api.call(
            "POST",
            "/api/v1/webhooks",
            token,
            json={"url": receiver.url, "events": ["reservation.created"]},
        )
        try:
            measure_one(api, token, room["resource_id"], receiver, 0)  # warm-up
            results = [
                measure_one(api, token, room["resource_id"], receiver, n)
                for n in range(1, samples + 1)
            ]
        finally:
            api.call("DELETE", f"/api/v1/admin/webhook-allowlist/{entry['entry_id']}", admin)
    print(summary("201 -> notification listed", [r[0] for r in results]))
    print(summary("201 -> webhook received", [r[1] for r in results]))
    api.close()


Run = Callable[[str, "str | None", int, str, str], None]


def main_for(run_samples: Run, doc: str) -> None:
    """The command line of a latency benchmark: its own stack, or `--url` a running one."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--url", help="a running stack's API (default: start one)")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--admin-user", default=ADMIN_USERNAME)
    parser.add_argument("--admin-password", default=ADMIN_PASSWORD)
    args = parser.parse_args()
    if args.url:
        token = os.environ.get("RESERVER_SETUP_TOKEN")
        run_samples(args.url, token, args.samples, args.admin_user, args.admin_password)
        return
    with own_stack() as (url, token):
        run_samples(url, token, args.samples, args.admin_user, args.admin_password)


def backlog_main(argv: list[str]) -> None:
    """`--backlog N`: its own stack (rate limits off, as in the issue's measurement)."""
    from bench.backlog import report, run_backlog

    parser = argparse.ArgumentParser(description="pipeline backlog (bench/backlog.py)")
    parser.add_argument("--backlog", type=int, default=10_000)
    args = parser.parse_args(argv)
    os.environ["RATE_LIMIT_ENABLED"] = "false"
    with own_running_stack() as running:
        api = ApiClient(running.urls["api"], running.setup_token)
        admin = admin_token(api, ADMIN_USERNAME, ADMIN_PASSWORD)
        api.close()
        report(run_backlog(running.urls["api"], running.urls["aws"], admin, args.backlog))


def main() -> None:
    if any(a.startswith("--backlog") for a in sys.argv[1:]):
        backlog_main(sys.argv[1:])
        return
    main_for(run, __doc__ or "")


if __name__ == "__main__":
    main()
