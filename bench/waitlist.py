"""Waitlist offer latency on the local stack (figures, not a test).

For each sample: a holder books a slot, a waiter joins the waitlist for it, then the holder
cancels; the time measured runs from the cancel's answer until `GET /api/v1/waitlist/{id}`
shows the waiter's entry `offered`. Samples run one after another, so each measures the
pipeline, not a queue behind it. Prints p50 / p95 / max.

The path measured: cancel (API) -> DynamoDB Local stream -> event pump -> stream handler ->
PutEvents (moto EventBridge) -> rule -> reserver-waitlist SQS -> pump -> waitlist worker
(queue read, rules, the hold's booking transaction) -> the entry read back by the client.

Without arguments it starts its own stack on free ports and stops it afterwards; `--url`
measures a running stack (see bench/pipeline.py for the admin options).

Run: .venv/bin/python -m bench.waitlist [--samples 30]
"""

from __future__ import annotations

import time

from bench.pipeline import admin_token, main_for, slot, summary
from tests.e2e.browser import USER_PASSWORD, ApiClient, create_room, unique

TIMEOUT_S = 15.0
POLL_S = 0.01


def member(api: ApiClient) -> str:
    username = unique("wlb")
    api.call("POST", "/api/v1/register", json={"username": username, "password": USER_PASSWORD})
    return api.login(username, USER_PASSWORD)


def measure_one(api: ApiClient, holder: str, waiter: str, resource_id: str, n: int) -> float:
    start, end = slot(n)
    body = {"resource_id": resource_id, "start_time": start, "end_time": end}
    reservation_id = api.call("POST", "/api/v1/reservations", holder, json=body)["reservation_id"]
    entry_id = api.call("POST", "/api/v1/waitlist", waiter, json=body)["entry_id"]
    time.sleep(0.3)  # let the join's own event pass, so only the cancel is measured
    api.call("POST", f"/api/v1/reservations/{reservation_id}/cancel", holder, json={})
    cancelled = time.monotonic()
    while True:
        entry = api.call("GET", f"/api/v1/waitlist/{entry_id}", waiter)
        if entry["status"] == "offered":
            return time.monotonic() - cancelled
        if time.monotonic() - cancelled > TIMEOUT_S:
            raise RuntimeError(f"entry {entry_id}: no offer after {TIMEOUT_S} s")
        time.sleep(POLL_S)


def run(
    url: str, setup_token: str | None, samples: int, admin_user: str, admin_password: str
) -> None:
    api = ApiClient(url, setup_token)
    admin = admin_token(api, admin_user, admin_password)
    room = create_room(api, admin)
    holder, waiter = member(api), member(api)
    measure_one(api, holder, waiter, room["resource_id"], 0)  # warm-up
    results = [
        measure_one(api, holder, waiter, room["resource_id"], n) for n in range(1, samples + 1)
    ]
    print(summary("cancel -> offer listed", results))
    api.close()


def main() -> None:
    main_for(run, __doc__ or "")


if __name__ == "__main__":
    main()
