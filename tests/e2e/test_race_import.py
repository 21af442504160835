"""Two CSV imports of the same slots (each several DynamoDB transactions) racing each other and
single bookings on DynamoDB Local (issue 14): read back from the table, nothing overlaps, and
each import is all or nothing: every one of its rows occupies its slot, or none does (the
chunks a losing import wrote were cancelled again)."""

from __future__ import annotations

import base64
import csv
import io
import json
import threading
import uuid
from datetime import timedelta

import httpx
import pytest

from tests.e2e.race_kit import (
    Target,
    base_day,
    iso,
    overlapping_pairs,
    register_users,
    seed_resources,
    stored_reservations,
)

pytestmark = [pytest.mark.e2e, pytest.mark.race]

ROWS = 60  # two resources x 30 hours: about three transactions per import
SINGLES = 8
BARRIER_TIMEOUT_S = 120
OCCUPYING = {"active", "pending_approval", "held"}


def _file(resources: list[str]) -> str:
    start = base_day() + timedelta(days=40)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["resource", "start", "end"])
    for index in range(ROWS):
        slot = start + timedelta(hours=index // 2)
        writer.writerow([resources[index % 2], iso(slot), iso(slot + timedelta(hours=1))])
    return buffer.getvalue()


def test_two_imports_and_single_bookings_racing_never_overlap_and_stay_all_or_nothing(
    target: Target,
) -> None:
    resources = seed_resources(target, 2)
    tokens = register_users(target, 2 + SINGLES)
    text = _file(resources)
    barrier = threading.Barrier(2 + SINGLES, timeout=BARRIER_TIMEOUT_S)
    statuses: dict[int, int] = {}

    def run(index: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[index]}", "Idempotency-Key": uuid.uuid4().hex}
        with httpx.Client(base_url=target.api_url, timeout=300) as http:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                return
            if index < 2:
                response = http.post(
                    "/api/v1/bulk/reservations/import",
                    content=text.encode(),
                    headers={**headers, "Content-Type": "text/csv"},
                )
            else:
                slot = base_day() + timedelta(days=40, hours=3 * index, minutes=30)
                body = {
                    "resource_id": resources[index % 2],
                    "start_time": iso(slot),
                    "end_time": iso(slot + timedelta(minutes=30)),
                }
                response = http.post("/api/v1/reservations", json=body, headers=headers)
            statuses[index] = response.status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2 + SINGLES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every call answered (a refused import is 409 or 422, never 5xx)
    assert len(statuses) == 2 + SINGLES, statuses
    assert {statuses[0], statuses[1]} <= {201, 409, 422}, statuses
    assert {statuses[i] for i in range(2, 2 + SINGLES)} <= {201, 409}, statuses
    assert [statuses[0], statuses[1]].count(201) <= 1, statuses
    # And read back from the table: no overlap, and each import all or nothing
    stored = stored_reservations(target, resources)
    assert overlapping_pairs(stored) == []
    for index in (0, 1):
        owner = _user_of(tokens[index])
        held = [r for r in stored if r["user_id"] == owner and r["status"] in OCCUPYING]
        assert len(held) == (ROWS if statuses[index] == 201 else 0), (index, statuses)


def _user_of(token: str) -> str:
    """The user id a signed-in token names (its `sub` claim)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])
