"""The self-idempotent workers handle a batch of records at once (issue 16, workers/batch.py).

Their queues take up to 10 records. The batch's events go to the worker's `many` handler
together: one lookup and one transaction of merged counters for the batch instead of one per
event. A malformed record, or a failure of `many`, sends the batch record by record, and
only the records that fail are reported."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline.events import DomainEvent, make_event
from chalicelib.store.pipeline.audit_stats import AuditStatsStore
from chalicelib.topology import AUDIT_QUEUE, NOTIFY_QUEUE
from chalicelib.workers.batch import Worker
from infra.local.appload import lambda_context
from infra.local.lambda_events import sqs_record
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, detail, notifications, person
from tests.integration.reservations_kit import at, booked, create_resource

REGION = "us-east-1"


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    yield Pipeline(app)


def three_bookings(client: Client, pipeline: Pipeline, queue: str) -> tuple[Person, list[Any]]:
    """Ada books three slots; the messages their events put on `queue` (only theirs)."""
    ada = person(client, "ada")
    pipeline.pump_stream()
    pipeline.receive(queue)  # her registration's events: not what is measured here
    for hour in (9, 11, 13):
        booked(client, ada.token, at(hour), at(hour + 1))
    pipeline.pump_stream()
    messages = pipeline.receive(queue)
    assert len(messages) == 3, [detail(str(m["Body"]))["metadata"] for m in messages]
    return ada, messages


def handle(queue: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The queue's handler on these messages, as Lambda calls it (nothing settled)."""
    handler_name = next(q.handler for q in (AUDIT_QUEUE, NOTIFY_QUEUE) if q.name == queue)
    arn = f"arn:aws:sqs:{REGION}:123456789012:{queue}"
    records = [sqs_record(m, arn, REGION) for m in messages]
    response = app.handler_map[handler_name]({"Records": records}, lambda_context(handler_name))
    return dict(response or {})


def action_counts() -> dict[str, int]:
    return {v.value: v.count for v in AuditStatsStore().seen("action", max_rows=100)}


def test_a_batch_goes_to_the_batch_handler_once() -> None:
    handled: list[int] = []
    batches: list[list[int]] = []
    worker = Worker(
        "reserver-test",
        lambda payload: handled.append(payload["data"]["n"]),
        None,
        many=lambda events: batches.append([e.data["n"] for e in events]),
    )
    assert worker(_records(3)) == {"batchItemFailures": []}
    assert batches == [[0, 1, 2]] and handled == []
    # A batch of one takes the usual path
    assert worker(_records(1)) == {"batchItemFailures": []}
    assert batches == [[0, 1, 2]] and handled == [0]


def test_three_bookings_are_audited_in_one_transaction_and_counted_once(
    client: Client, pipeline: Pipeline, dynamodb_calls: Callable[[], list[str]]
) -> None:
    # Given the audit events of Ada's three bookings in one batch
    _, messages = three_bookings(client, pipeline, AUDIT_QUEUE.name)
    before = action_counts().get("created", 0)
    dynamodb_calls()
    # When the audit worker handles the batch
    response = handle(AUDIT_QUEUE.name, messages)
    # Then one transaction wrote the three entries with their merged counters (was three)
    assert response == {"batchItemFailures": []}
    assert dynamodb_calls() == ["TransactWriteItems"]
    assert action_counts()["created"] == before + 3
    # And the same batch delivered again counts nothing twice
    assert handle(AUDIT_QUEUE.name, messages) == {"batchItemFailures": []}
    assert action_counts()["created"] == before + 3


def test_a_batch_of_notifications_reads_the_owner_once(
    client: Client, pipeline: Pipeline, dynamodb_calls: Callable[[], list[str]]
) -> None:
    # Given the notify events of Ada's three bookings in one batch
    ada, messages = three_bookings(client, pipeline, NOTIFY_QUEUE.name)
    dynamodb_calls()
    # When the notify worker handles the batch
    assert handle(NOTIFY_QUEUE.name, messages) == {"batchItemFailures": []}
    # Then Ada and the room were read once, her notifications stored in one transaction and
    # her sockets looked up once
    assert dynamodb_calls() == ["BatchGetItem", "TransactWriteItems", "Query"]
    titles = [n["title"] for n in notifications(client, ada.token)["items"]]
    assert titles.count("Reservation confirmed") == 3


def test_a_malformed_record_fails_alone_and_the_others_are_handled(
    client: Client, pipeline: Pipeline
) -> None:
    # Given a batch of two good audit events and one message that is not an event
    _, messages = three_bookings(client, pipeline, AUDIT_QUEUE.name)
    before = action_counts().get("created", 0)
    poison = {**messages[2], "MessageId": "poison-1", "Body": "not json"}
    # When the audit worker handles it
    response = handle(AUDIT_QUEUE.name, [messages[0], poison, messages[1]])
    # Then only the malformed one is reported failed (SQS retries it, then dead-letters it)
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}
    assert action_counts()["created"] == before + 2


def _records(count: int) -> dict[str, Any]:
    """Well-formed events numbered in their data: `many` receives them."""
    occurred = datetime(2026, 12, 5, 9, tzinfo=UTC)
    events = [
        make_event("test.happened", {"n": n}, source_id=f"s-{n}", occurred_at=occurred)
        for n in range(count)
    ]
    return {
        "Records": [
            {"messageId": f"m-{n}", "body": json.dumps(event.to_dict())}
            for n, event in enumerate(events)
        ]
    }


def test_when_the_batch_handler_fails_each_record_is_handled_on_its_own() -> None:
    handled: list[int] = []
    batches: list[list[int]] = []

    def one(payload: dict[str, Any]) -> None:
        if payload["data"]["n"] == 1:
            raise RuntimeError("this one fails")
        handled.append(payload["data"]["n"])

    def many(events: list[DomainEvent]) -> None:
        batches.append([event.data["n"] for event in events])
        raise RuntimeError("the batch fails")

    worker = Worker("reserver-test", one, None, many=many)
    # Given events the batch handler cannot take (here: fails always)
    response = worker(_records(3))
    # Then the batch handler saw all three, then each was handled alone, and only the one
    # that failed again is reported
    assert batches == [[0, 1, 2]]
    assert handled == [0, 2]
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


def test_a_worker_with_an_idempotency_record_cannot_batch() -> None:
    # A re-run of part of a batch would then apply an effect twice.
    with pytest.raises(ValueError, match="self-idempotent"):
        Worker("reserver-test", lambda payload: None, cast(Any, object()), many=lambda e: None)
