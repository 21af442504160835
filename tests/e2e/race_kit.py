"""Helpers for the race tests: a stack to race against, seeded resources, users, and a
direct read-back of the table (boto3 on DynamoDB Local, bypassing the API)."""

from __future__ import annotations

import socket
import tempfile
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from chalicelib import wiring
from chalicelib.domain.catalog.resources import BookingPolicy, Resource

TABLE = "reserver-main"
PASSWORD = "Race-passw0rd-1"
OCCUPYING = {"active", "pending_approval", "held"}


@dataclass(frozen=True)
class Target:
    api_url: str
    dynamodb_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def own_stack() -> Iterator[Target]:
    """DynamoDB Local + the API (and the rest of the local stack) on free ports."""
    from infra.local.config import Ports, StackConfig
    from infra.local.stack import start_stack

    ports = Ports(*(_free_port() for _ in range(5)))
    state = Path(tempfile.mkdtemp(prefix="race-stack-"))
    config = StackConfig(ports=ports, state_dir=state, frontend_dir=None)
    with start_stack(config) as running:
        yield Target(running.urls["api"], running.dynamodb_url)


def target_of(stack: Any) -> Target:
    return Target(stack.urls["api"], stack.dynamodb_url)


def seed_resources(target: Target, count: int, **policy: Any) -> list[str]:
    """Resources written straight into the stack's table through the catalogue's store."""
    ids = [f"race-{uuid.uuid4().hex[:10]}" for _ in range(count)]
    created = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        wiring.reset()
        from chalicelib.store.catalog.repository import ResourceStore

        repo = ResourceStore(wiring.cursors())
        for rid in ids:
            repo.create(
                Resource(
                    resource_id=rid,
                    name=f"Race {rid}",
                    policy=BookingPolicy(**policy),
                    created_at=created,
                    updated_at=created,
                )
            )
    wiring.reset()
    return ids


def register_users(target: Target, count: int) -> list[str]:
    """`count` fresh users, signed in; their access tokens."""
    tokens = []
    with httpx.Client(base_url=target.api_url, timeout=30) as http:
        for _ in range(count):
            name = f"racer{uuid.uuid4().hex[:10]}"
            body = {"username": name, "password": PASSWORD}
            assert http.post("/api/v1/register", json=body).status_code == 201
            response = http.post("/api/v1/token", json=body)
            assert response.status_code == 200, response.text
            tokens.append(str(response.json()["access_token"]))
    return tokens


def _dynamodb(target: Target) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=target.dynamodb_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def stored_reservations(target: Target, resource_ids: list[str]) -> list[dict[str, str]]:
    """Every reservation item of these resources, read directly from the table."""
    client = _dynamodb(target)
    wanted = set(resource_ids)
    found: list[dict[str, str]] = []
    kwargs: dict[str, Any] = {
        "TableName": TABLE,
        "ConsistentRead": True,
        "FilterExpression": "#t = :r",
        "ExpressionAttributeNames": {"#t": "type"},
        "ExpressionAttributeValues": {":r": {"S": "reservation"}},
    }
    while True:
        page = client.scan(**kwargs)
        for raw in page.get("Items", []):
            if raw["resource_id"]["S"] in wanted:
                found.append({k: v["S"] for k, v in raw.items() if "S" in v})
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def occupancy_items(target: Target, resource_id: str) -> list[dict[str, str]]:
    client = _dynamodb(target)
    response = client.query(
        TableName=TABLE,
        ConsistentRead=True,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :slot)",
        ExpressionAttributeValues={
            ":pk": {"S": f"RESOURCE#{resource_id}"},
            ":slot": {"S": "SLOT#"},
        },
    )
    return [{k: v["S"] for k, v in raw.items() if "S" in v} for raw in response["Items"]]


def overlapping_pairs(items: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Pairs of occupying reservations of one resource whose windows overlap."""
    by_resource: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for item in items:
        if item["status"] in OCCUPYING:
            start = datetime.fromisoformat(item["start_time"])
            end = datetime.fromisoformat(item["end_time"])
            by_resource[item["resource_id"]].append((start, end, item["reservation_id"]))
    pairs = []
    for windows in by_resource.values():
        for (s1, e1, a), (s2, e2, b) in combinations(windows, 2):
            if s1 < e2 and s2 < e1:
                pairs.append((a, b))
    return pairs


def base_day() -> datetime:
    """Midnight UTC, ten days ahead: inside every booking horizon, never in the past."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=10)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def together(works: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every request at the same moment (a barrier), one thread each; answers in order."""
    barrier = threading.Barrier(len(works), timeout=120)

    def run(work: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return work()

    with ThreadPoolExecutor(max_workers=len(works)) as pool:
        return list(pool.map(run, works))
