"""Waitlist quotas under real concurrency (issue 13): the "active waitlist entries" counter is
charged in the join's own transaction, so one user firing 20 joins at once against a limit of
4 ends with exactly 4 entries, read back from the table.

The 20 joins are on 20 different resources (each already booked at the wished time), so the
ONLY thing they share is the user's quota counter: no queue counter stands between them.
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
from tests.e2e.race_kit import TABLE, Target, _dynamodb, base_day, iso, register_users
from tests.e2e.test_quota_race import _counter_in_table, _usage_item
from tests.e2e.test_race import _run_together

pytestmark = [pytest.mark.e2e, pytest.mark.race]

JOINS = 20
LIMIT = 4


def _entries_in_table(target: Target, resource_ids: list[str]) -> list[dict[str, Any]]:
    """The live queue slots of the resources, read directly (one per waiting entry)."""
    found = []
    for resource_id in resource_ids:
        response = _dynamodb(target).query(
            TableName=TABLE,
            ConsistentRead=True,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :q)",
            ExpressionAttributeValues={
                ":pk": {"S": f"RESOURCE#{resource_id}"},
                ":q": {"S": "WAITQ#"},
            },
        )
        found += response["Items"]
    return found


def test_twenty_concurrent_joins_against_a_limit_of_four_make_exactly_four_entries(
    target: Target, api: ApiClient, admin_api_token: str
) -> None:
    # Given 20 resources with a tag of their own, each booked tomorrow 10-11 by the admin,
    # and a rule: at most 4 active waitlist entries on resources with that tag
    tag = f"qw-{uuid.uuid4().hex[:8]}"
    start = base_day() + timedelta(hours=10)
    window = {"start_time": iso(start), "end_time": iso(start + timedelta(hours=1))}
    resources = []
    for n in range(JOINS):
        rid = api.create_resource(admin_api_token, f"Queue race {tag} {n}", tags=[tag])[
            "resource_id"
        ]
        api.call(
            "POST", "/api/v1/reservations", admin_api_token, json={"resource_id": rid, **window}
        )
        resources.append(rid)
    rule: dict[str, Any] = api.call(
        "POST",
        "/api/v1/quotas/rules",
        admin_api_token,
        json={
            "name": "Queue",
            "metric": "waitlist",
            "limit": LIMIT,
            "scope": "tag",
            "scope_value": tag,
        },
    )
    (token,) = register_users(target, 1)

    def fire(index: int, barrier: threading.Barrier) -> tuple[int, str]:
        body = {"resource_id": resources[index], **window}
        with httpx.Client(base_url=target.api_url, timeout=60) as http:
            barrier.wait()
            response = http.post(
                "/api/v1/waitlist", json=body, headers={"Authorization": f"Bearer {token}"}
            )
        code = response.json()["error"]["code"] if response.status_code >= 400 else ""
        return response.status_code, code

    try:
        # When one user fires 20 joins at the same moment
        outcomes = Counter(_run_together(JOINS, fire))
        print(f"outcomes: {dict(outcomes)}")
        # Then exactly 4 are accepted, the others refused by the quota (or told to retry)
        assert outcomes[(201, "")] == LIMIT, outcomes
        assert set(outcomes) <= {(201, ""), (422, "quota_exceeded"), (429, "waitlist_contention")}
        assert outcomes[(422, "quota_exceeded")] >= 1
        # And the table, read back directly, holds exactly 4 queue slots and a counter of 4
        assert len(_entries_in_table(target, resources)) == LIMIT
        assert _counter_in_table(target, rule["rule_id"]) == [LIMIT]
        assert _usage_item(target, token, rule["rule_id"]) == LIMIT
    finally:
        api.call("DELETE", f"/api/v1/quotas/rules/{rule['rule_id']}", admin_api_token)
