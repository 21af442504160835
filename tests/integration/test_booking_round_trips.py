"""The booking path's cost in DynamoDB calls (issue 8, part 5): a create is at most 4 calls
(the caller's token check, the resource with its day versions and blackout marker in one
BatchGetItem, the slot query, the transaction) and a refusal (409) at most 3, plus the ONE
UpdateItem of the API rate limit (issue 13: at most one extra round trip per request), so 5
and 4. The composite links (issue 14) are read in the resource's BatchGetItem and guarded in
the transaction (issue 16; before: one more BatchGetItem after the day versions). Blackouts are
read only for a resource whose marker says it has some (or has no marker), and they are
enforced whatever the marker says."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import boto3
import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.store.catalog.blackouts import count_key
from tests.integration.reservations_kit import (
    TOMORROW,
    add_blackout,
    at,
    book,
    create_resource,
)


def test_a_create_costs_five_calls_and_a_refusal_four(
    client: Client, clock: FrozenClock, user_token: str, dynamodb_calls: Callable[[], list[str]]
) -> None:
    # Given a resource with no blackouts of its own, and reference data (default hours,
    # global blackouts) already in the process's short-lived cache by an earlier booking
    create_resource("room-1")
    assert book(client, user_token, at(8), at(9)).status_code == 201
    dynamodb_calls()
    # When a booking is made
    created = book(client, user_token, at(10), at(11))
    assert created.status_code == 201, created.body
    # Then it cost: the token check (user + deny-list), the rate-limit counter of the verified
    # caller (issue 13: one UpdateItem that counts and returns the count, nothing else), the
    # resource with its day versions, blackout marker and composite links, the slot query,
    # the transaction
    assert dynamodb_calls() == [
        "BatchGetItem",
        "UpdateItem",
        "BatchGetItem",
        "Query",
        "TransactWriteItems",
    ]
    # When the same time is asked for again, Then the 409 is decided with one call less;
    # issue 13: the refusal then searches Plan B (read-only, on the failure path only)
    refused = book(client, user_token, at(10, 30), at(11, 30))
    assert refused.status_code == 409
    calls = dynamodb_calls()
    assert calls[:4] == ["BatchGetItem", "UpdateItem", "BatchGetItem", "Query"]
    assert "TransactWriteItems" not in calls


def test_with_rate_limits_off_the_counter_call_is_gone(
    client: Client,
    clock: FrozenClock,
    user_token: str,
    dynamodb_calls: Callable[[], list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given rate limiting switched off (benchmarks), When a booking is made
    monkeypatch.setenv("RATE_LIMIT_ENABLED", "false")
    wiring.rebuild()
    create_resource("room-1")
    assert book(client, user_token, at(8), at(9)).status_code == 201
    dynamodb_calls()
    created = book(client, user_token, at(10), at(11))
    # Then it costs what it cost before rate limits, and carries no rate-limit headers
    assert created.status_code == 201, created.body
    assert dynamodb_calls() == ["BatchGetItem", "BatchGetItem", "Query", "TransactWriteItems"]
    assert "X-RateLimit-Limit" not in created.headers


def test_blackouts_bind_whatever_the_marker_says(
    client: Client, clock: FrozenClock, user_token: str, dynamodb_calls: Callable[[], list[str]]
) -> None:
    # Given a resource with a blackout tomorrow (its marker counts one)
    create_resource("room-1")
    add_blackout("room-1", TOMORROW)
    # When a booking falls into it, Then it is refused (the blackouts were read)
    refused = book(client, user_token, at(10), at(11))
    assert refused.status_code == 422
    assert refused.json_body["error"]["code"] == "blackout_date"
    # And a resource from before the markers (none stored) still has its blackouts read
    day_after = TOMORROW + timedelta(days=1)
    create_resource("room-2")
    add_blackout("room-2", day_after)
    boto3.client("dynamodb").delete_item(TableName="reserver-main", Key=count_key("room-2"))
    dynamodb_calls()
    legacy = book(
        client, user_token, at(10, day=day_after), at(11, day=day_after), resource_id="room-2"
    )
    assert legacy.status_code == 422 and legacy.json_body["error"]["code"] == "blackout_date"
    assert "Query" in dynamodb_calls()[2:]


def test_the_marker_counts_adds_and_removals(client: Client, admin_token: str) -> None:
    create_resource("room-1")
    table = boto3.client("dynamodb")

    def marker() -> int:
        item = table.get_item(TableName="reserver-main", Key=count_key("room-1"))["Item"]
        return int(item["total"]["N"])

    assert marker() == 0
    body = {"start_date": "2026-12-24", "end_date": "2026-12-26", "reason": "holidays"}
    added = client.http.post(
        "/api/v1/resources/room-1/blackouts",
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
        body=json.dumps(body),
    )
    assert added.status_code == 201, added.body
    assert marker() == 1
    blackout_id = added.json_body["blackout_id"]
    removed = client.http.delete(
        f"/api/v1/resources/room-1/blackouts/{blackout_id}",
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert removed.status_code in (200, 204), removed.body
    assert marker() == 0


def test_with_quota_rules_a_create_costs_one_query_more(
    client: Client, clock: FrozenClock, user_token: str, dynamodb_calls: Callable[[], list[str]]
) -> None:
    # Given a quota rule (cached by the process after the first booking, like default hours)
    from chalicelib.domain.quotas.rules import QuotaRule
    from chalicelib.store.quotas.repository import QuotaStore

    create_resource("room-1")
    QuotaStore().put_rule(QuotaRule("r1", "Weekly", "hours", 600, "week"), clock.now())
    assert book(client, user_token, at(8), at(9)).status_code == 201
    dynamodb_calls()
    # When a booking is made, Then the user's overrides and usage cost one Query (issue 13);
    # the counter update rides in the same transaction (UpdateItem: the API rate limit)
    assert book(client, user_token, at(10), at(11)).status_code == 201
    assert dynamodb_calls() == [
        "BatchGetItem",
        "UpdateItem",
        "BatchGetItem",
        "Query",
        "Query",
        "TransactWriteItems",
    ]
