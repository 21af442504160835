"""Approvals under real concurrency on DynamoDB Local (issue 10): approve racing a cancel,
two approvals of overlapping requests racing each other and a new request for the window.
Read back from the table: never two confirmed reservations for one window, and never a
pending request overlapping a confirmed one."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

import httpx
import pytest

from chalicelib import wiring
from chalicelib.domain.catalog.resources import Resource
from tests.e2e.race_kit import (
    Target,
    base_day,
    iso,
    own_stack,
    register_users,
    stored_reservations,
    target_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.race]
ROUNDS = 8
CONFIRMED = {"active", "checked_in", "held"}
FIGURES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    try:
        stack = request.getfixturevalue("stack")
    except pytest.FixtureLookupError:
        with own_stack() as started:
            yield started
        return
    yield target_of(stack)


def _me(target: Target, token: str) -> str:
    with httpx.Client(base_url=target.api_url, timeout=30) as http:
        return str(http.get("/api/v1/users/me", headers=_auth(token)).json()["id"])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _lab(target: Target, approver_id: str) -> str:
    rid = f"race-lab-{uuid.uuid4().hex[:8]}"
    created = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        wiring.reset()
        from chalicelib.store.catalog.repository import ResourceStore

        ResourceStore(wiring.cursors()).create(
            Resource(
                resource_id=rid,
                name=f"Lab {rid}",
                requires_approval=True,
                approvers=(approver_id,),
                created_at=created,
                updated_at=created,
            )
        )
    wiring.reset()
    return rid


def _request(http: httpx.Client, token: str, lab: str, start: datetime, minutes: int) -> str:
    body = {
        "resource_id": lab,
        "start_time": iso(start),
        "end_time": iso(start + timedelta(minutes=minutes)),
    }
    response = http.post("/api/v1/reservations", json=body, headers=_auth(token))
    assert response.status_code == 201, response.text
    return str(response.json()["reservation_id"])


def _together(calls: list[Any]) -> list[int]:
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call: Any) -> int:
        barrier.wait()
        return int(call())

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _booker(http: httpx.Client, token: str, body: dict[str, str]) -> Any:
    return lambda: http.post("/api/v1/reservations", json=body, headers=_auth(token)).status_code


def _violations(items: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Overlapping pairs where at least one side is confirmed (two pending may queue)."""
    found = []
    for a, b in combinations(items, 2):
        statuses = {a["status"], b["status"]}
        if not statuses & CONFIRMED or not statuses <= CONFIRMED | {"pending_approval"}:
            continue
        s1, e1 = datetime.fromisoformat(a["start_time"]), datetime.fromisoformat(a["end_time"])
        s2, e2 = datetime.fromisoformat(b["start_time"]), datetime.fromisoformat(b["end_time"])
        if s1 < e2 and s2 < e1:
            found.append((a["reservation_id"], b["reservation_id"]))
    return found


def test_approvals_racing_cancels_bookings_and_each_other_never_double_book(
    target: Target,
) -> None:
    alice, bob, carol, approver = register_users(target, 4)
    lab = _lab(target, _me(target, approver))
    day = base_day() + timedelta(days=3)
    with httpx.Client(base_url=target.api_url, timeout=60) as http:

        def respond(rid: str) -> Any:
            body = {"decision": "approve"}
            url = f"/api/v1/approvals/{rid}/respond"
            return lambda: http.post(url, json=body, headers=_auth(approver)).status_code

        for n in range(ROUNDS):
            start = day + timedelta(hours=n * 3)
            # 1. approve racing the requester's cancel of the same request
            mine = _request(http, alice, lab, start, 60)
            cancel = f"/api/v1/reservations/{mine}/cancel"
            codes = _together(
                [
                    respond(mine),
                    lambda u=cancel: http.post(u, json={}, headers=_auth(alice)).status_code,
                ]
            )
            FIGURES[f"approve_vs_cancel {codes[0]}/{codes[1]}"] += 1
            # 2. two overlapping requests approved at once, while a third user books over them
            a = _request(http, alice, lab, start + timedelta(hours=1), 60)
            b = _request(http, bob, lab, start + timedelta(hours=1, minutes=30), 60)
            body = {
                "resource_id": lab,
                "start_time": iso(start + timedelta(hours=1, minutes=15)),
                "end_time": iso(start + timedelta(hours=2)),
            }
            codes = _together([respond(a), respond(b), _booker(http, carol, body)])
            FIGURES[f"approve_a/approve_b/direct {codes[0]}/{codes[1]}/{codes[2]}"] += 1
            assert 500 not in codes
    items = stored_reservations(target, [lab])
    statuses = Counter(i["status"] for i in items)
    print(f"\napproval race figures: {dict(FIGURES)}; table: {dict(statuses)}")
    assert _violations(items) == []
    # Each round's contested window ends with at most one confirmed reservation
    assert statuses["active"] <= 2 * ROUNDS
