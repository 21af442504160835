"""Quotas under real concurrency (issue 13): the usage counter is part of the booking
transaction, so one user firing 30 bookings at once against a limit of 5 gets exactly 5.

The 30 windows are on 30 different resources at the same time, so the ONLY thing they share
is the user's quota counter: no day version or slot stands between them and the limit.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.browser import ApiClient
from tests.e2e.race_kit import (
    TABLE,
    Target,
    _dynamodb,
    base_day,
    iso,
    register_users,
    stored_reservations,
)
from tests.e2e.test_race import _create, _run_together

pytestmark = [pytest.mark.e2e, pytest.mark.race]

BOOKINGS = 30
LIMIT = 5


def _counter_in_table(target: Target, rule_id: str) -> list[int]:
    """Every user's counter of the rule, read directly (GSI2 lists one counter's users)."""
    response = _dynamodb(target).query(
        TableName=TABLE,
        IndexName="GSI2",
        KeyConditionExpression="GSI2PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"QUOTA#USAGE#{rule_id}#open"}},
    )
    return [int(raw["used"]["N"]) for raw in response["Items"]]


def _usage_item(target: Target, token: str, rule_id: str) -> int:
    with httpx.Client(base_url=target.api_url, timeout=30) as http:
        response = http.get("/api/v1/quotas/my-usage", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return int(next(r for r in response.json()["rules"] if r["rule_id"] == rule_id)["used"])


def test_thirty_concurrent_bookings_against_a_limit_of_five_book_exactly_five(
    target: Target, api: ApiClient, admin_api_token: str
) -> None:
    # Given 30 resources with a tag of their own and a rule: at most 5 concurrent
    # reservations on resources with that tag (scoped by tag: other tests are not affected)
    tag = f"qr-{uuid.uuid4().hex[:8]}"
    resources = [
        api.create_resource(admin_api_token, f"Quota race {tag} {n}", tags=[tag])["resource_id"]
        for n in range(BOOKINGS)
    ]
    rule: dict[str, Any] = api.call(
        "POST",
        "/api/v1/quotas/rules",
        admin_api_token,
        json={
            "name": "Race",
            "metric": "concurrent",
            "limit": LIMIT,
            "scope": "tag",
            "scope_value": tag,
        },
    )
    (token,) = register_users(target, 1)
    start = base_day() + timedelta(hours=10)

    def fire(index: int, barrier: threading.Barrier) -> tuple[int, str]:
        body = {
            "resource_id": resources[index],
            "start_time": iso(start),
            "end_time": iso(start + timedelta(hours=1)),
        }
        with httpx.Client(base_url=target.api_url, timeout=60) as http:
            barrier.wait()
            response = _create(http, token, body)
        code = response.json()["error"]["code"] if response.status_code >= 400 else ""
        return response.status_code, code

    try:
        # When one user fires 30 bookings at the same moment
        outcomes = Counter(_run_together(BOOKINGS, fire))
        print(f"outcomes: {dict(outcomes)}")
        # Then exactly 5 succeed; the others are refused by the quota (or, if they lost
        # every retry on the counter item, told to retry), never booked
        assert outcomes[(201, "")] == LIMIT, outcomes
        assert set(outcomes) <= {(201, ""), (422, "quota_exceeded"), (429, "booking_contention")}
        assert outcomes[(422, "quota_exceeded")] >= 1
        # And the table, read back directly, holds exactly 5 reservations and a counter of 5
        stored = stored_reservations(target, resources)
        assert len(stored) == LIMIT
        assert {r["status"] for r in stored} == {"active"}
        assert _counter_in_table(target, rule["rule_id"]) == [LIMIT]
        assert _usage_item(target, token, rule["rule_id"]) == LIMIT
    finally:
        api.call("DELETE", f"/api/v1/quotas/rules/{rule['rule_id']}", admin_api_token)
