"""Check-in racing the no-show release, on DynamoDB Local (issue 10).

For each of ROUNDS reservations on a resource that requires check-in, two threads meet at a
barrier: the owner's check-in (the service, reading the reservation afresh) and the release
job's settle of the SAME reservation as the job's listing read it before (a stale view). The
lifecycle's conditional write lets exactly one of them win. The table, read back directly,
holds each reservation either checked in (its slot still occupied) or no-show (its slot
freed), and one no-show count per no-show: never both, never neither, never a lost count.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import boto3
import httpx
import pytest

from chalicelib import wiring
from chalicelib.domain.catalog.check_in_policy import CheckInPolicy
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import SYSTEM as SYSTEM_PRINCIPAL
from tests.e2e.race_kit import (
    TABLE,
    Target,
    base_day,
    iso,
    occupancy_items,
    register_users,
    stored_reservations,
)

pytestmark = [pytest.mark.e2e, pytest.mark.race]

ROUNDS = 40
BARRIER_TIMEOUT_S = 60


@pytest.fixture
def on_stack_table(target: Target) -> Iterator[None]:
    """Our services in this process, on the stack's DynamoDB Local."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        wiring.reset()
        yield
    wiring.reset()


def _room(target: Target) -> str:
    from chalicelib.store.catalog.repository import ResourceStore

    rid = f"checkin-race-{uuid.uuid4().hex[:8]}"
    created = datetime(2026, 1, 1, tzinfo=UTC)
    ResourceStore(wiring.cursors()).create(
        Resource(
            resource_id=rid,
            name=f"Race {rid}",
            check_in=CheckInPolicy(required=True),
            created_at=created,
            updated_at=created,
        )
    )
    return rid


def _book(target: Target, token: str, rid: str, count: int) -> list[str]:
    start = base_day() + timedelta(hours=1)
    ids = []
    with httpx.Client(base_url=target.api_url, timeout=30) as http:
        for i in range(count):
            begin = start + timedelta(hours=i)
            body = {
                "resource_id": rid,
                "start_time": iso(begin),
                "end_time": iso(begin + timedelta(minutes=30)),
            }
            headers = {"Authorization": f"Bearer {token}"}
            response = http.post("/api/v1/reservations", json=body, headers=headers)
            assert response.status_code == 201, response.text
            ids.append(response.json()["reservation_id"])
    return ids


def _no_show_total(target: Target, user_id: str) -> int:
    client = boto3.client(
        "dynamodb",
        endpoint_url=target.dynamodb_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    page = client.query(
        TableName=TABLE,
        ConsistentRead=True,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"NOSHOW#USER#{user_id}"}},
    )
    return sum(int(item["no_shows"]["N"]) for item in page["Items"])


def test_check_in_racing_the_release_job_lets_exactly_one_win(
    target: Target, on_stack_table: None
) -> None:
    from chalicelib.domain.signed_links import SignedLinks
    from chalicelib.services.reservations.check_in import CheckInService
    from chalicelib.store.catalog.repository import ResourceStore
    from chalicelib.store.reservations.no_shows import NoShowCounts
    from chalicelib.store.reservations.repository import ReservationStore

    rid = _room(target)
    token = register_users(target, 1)[0]
    booked = _book(target, token, rid, ROUNDS)
    store, resources = ReservationStore(), ResourceStore(wiring.cursors())
    resource = resources.get(rid)
    stale = {r: store.get(r) for r in booked}  # what the job's listing read
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def race(reservation_id: str) -> None:
        barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT_S)
        view = stale[reservation_id]
        assert view is not None
        inside = FrozenClock(view.window.start)  # the owner taps in time...
        closed = view.window.start + timedelta(minutes=15)  # ...the job runs at the close
        checker = CheckInService(
            ReservationStore(),
            resources,
            wiring.booking_writer(),
            inside,
            links=SignedLinks("race", "check-in"),
            counts=NoShowCounts(),
        )

        def check_in() -> str:
            barrier.wait()
            try:
                checker.check_in(SYSTEM_PRINCIPAL, reservation_id)
            except Conflict:
                return "check_in_refused"
            return "checked_in"

        def release() -> str:
            barrier.wait()
            return wiring.no_shows().settle(view, resource, closed)

        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = pool.submit(check_in), pool.submit(release)
            result = (first.result(), second.result())
        with lock:
            outcomes[f"{result[0]}+{result[1]}"] += 1

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(race, booked))

    print(f"\ncheck-in vs release over {ROUNDS} reservations: {dict(outcomes)}")
    assert set(outcomes) <= {"checked_in+skipped", "check_in_refused+released"}, outcomes
    items = {i["reservation_id"]: i for i in stored_reservations(target, [rid])}
    statuses = Counter(items[r]["status"] for r in booked)
    assert set(statuses) <= {"checked_in", "no_show"} and sum(statuses.values()) == ROUNDS
    assert statuses["no_show"] == outcomes["check_in_refused+released"]
    occupied = {i["reservation_id"] for i in occupancy_items(target, rid)}
    assert occupied == {r for r in booked if items[r]["status"] == "checked_in"}
    owner = items[booked[0]]["user_id"]
    assert _no_show_total(target, owner) == statuses["no_show"]
