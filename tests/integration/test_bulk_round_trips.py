"""What 100 bookings through the bulk API cost in DynamoDB calls (issue 16): round trips per
request and items per transaction, printed with `-s` and bounded so a regression fails.

Ten resources, ten one-hour items each, on ten distinct days (one day version per item)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from chalicelib.store.table import TableItem
from tests.factories import auth_headers
from tests.integration.reservations_kit import RESERVATIONS, at, create_resource, iso


@pytest.fixture
def calls(client: Client) -> Iterator[list[tuple[str, int]]]:
    """(operation, items in a TransactWriteItems or 0) for every DynamoDB call from now on."""
    seen: list[tuple[str, int]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        sent = json.loads(params.get("body") or b"{}")  # the serialized request
        seen.append((str(model.name), len(sent.get("TransactItems", []))))

    events = TableItem._get_connection().connection.client.meta.events
    events.register("before-call.dynamodb", record)
    yield seen
    events.unregister("before-call.dynamodb", record)


def test_a_hundred_bookings_cost_few_round_trips(
    client: Client, clock: FrozenClock, user_token: str, calls: list[tuple[str, int]]
) -> None:
    # Given ten resources and a bulk request of ten one-hour items on each
    rooms = [create_resource(f"bulk-room-{r}").resource_id for r in range(10)]
    items = [
        {
            "resource_id": room,
            "start_time": iso(at(10) + timedelta(days=d)),
            "end_time": iso(at(11) + timedelta(days=d)),
        }
        for room in rooms
        for d in range(10)
    ]
    calls.clear()
    # When it is posted
    body = json.dumps({"items": items})
    response = client.http.post(f"{RESERVATIONS}/bulk", headers=auth_headers(user_token), body=body)
    # Then all 100 are booked, in few calls and full transactions
    assert response.status_code == 201, response.body
    ops = Counter(op for op, _ in calls)
    sizes = [n for op, n in calls if op == "TransactWriteItems"]
    print(f"\n100 bulk bookings: {len(calls)} DynamoDB calls {dict(ops)}; tx sizes {sizes}")
    assert len(calls) <= 1000
    # bulk16: the writes reuse the pre-check's day versions (read first, one BatchGetItem)
    # and occupants, so no resource is queried twice, and the resources come with their
    # blackout markers in one BatchGet (no blackout query for a resource with none):
    # 85 calls (36 queries, 11 GetItem) before, 40 (12 queries, 1-2 GetItem) after.
    assert len(calls) <= 44, dict(ops)
    assert ops["Query"] <= 14, dict(ops)
    assert ops["GetItem"] <= 3, dict(ops)
    assert sorted(sizes)[-4:] == [97, 97, 97, 97]  # full transactions, not one per booking
