"""What a booking's notify and email workers ask of DynamoDB (issue 16): one read for the
event's owner and resource, and nothing written for an email nobody gets."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.clock import FrozenClock
from chalicelib.settings import get_settings
from chalicelib.topology import EMAIL_QUEUE, NOTIFY_QUEUE
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, detail, mail_to, notifications, person
from tests.integration.reservations_kit import at, booked, create_resource


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    yield Pipeline(app)


def booking_messages(
    client: Client, pipeline: Pipeline, queue: str, name: str, *, verified: bool = True
) -> tuple[Person, list[dict[str, object]]]:
    """`name` books room-1; they, and the `reservation.created` messages that reach `queue`
    (registrations put others there too)."""
    someone = person(client, name, verified=verified)
    booked(client, someone.token, at(10), at(11))
    pipeline.pump_stream()
    messages = pipeline.receive(queue)
    created = [
        m
        for m in messages
        if detail(str(m["Body"]))["metadata"]["event_name"] == "reservation.created"
    ]
    return someone, created


def idempotency_records() -> list[str]:
    table = get_settings().idempotency_table_name
    return [i["id"]["S"] for i in boto3.client("dynamodb").scan(TableName=table)["Items"]]


def test_notify_reads_the_owner_and_the_resource_in_one_call(
    client: Client, pipeline: Pipeline, dynamodb_calls: Callable[[], list[str]]
) -> None:
    # Given Ada's booking's event on the notify queue
    ada, messages = booking_messages(client, pipeline, NOTIFY_QUEUE.name, "ada")
    dynamodb_calls()
    # When the notify worker handles it
    outcome = pipeline.invoke(NOTIFY_QUEUE.name, messages)
    # Then one BatchGetItem read Ada and the room (it was two GetItems), one transaction
    # stored the notification, one query found her sockets to push it to
    assert outcome.failed_ids == [] and not outcome.raised
    assert dynamodb_calls() == ["BatchGetItem", "TransactWriteItems", "Query"]
    page = notifications(client, ada.token)
    assert [n["title"] for n in page["items"]] == ["Reservation confirmed"]
    assert "Resource room-1" in page["items"][0]["body"]


def test_an_event_that_mails_nobody_writes_nothing(
    client: Client, pipeline: Pipeline, dynamodb_calls: Callable[[], list[str]]
) -> None:
    # Given a booking by a user whose address is not verified
    _, messages = booking_messages(client, pipeline, EMAIL_QUEUE.name, "bea", verified=False)
    dynamodb_calls()
    # When the email worker handles its event
    outcome = pipeline.invoke(EMAIL_QUEUE.name, messages)
    # Then it read Bea (and the room) once and wrote nothing: no claim, no idempotency record
    # (Powertools' record cost two writes for every event, mailed or not)
    assert outcome.failed_ids == [] and not outcome.raised
    assert dynamodb_calls() == ["BatchGetItem"]
    assert mail_to("bea@example.com") == []
    assert not [k for k in idempotency_records() if k.startswith(EMAIL_QUEUE.name)]


def test_a_redelivered_confirmation_is_mailed_once_without_an_idempotency_record(
    client: Client, pipeline: Pipeline
) -> None:
    # Given Ada's booking's confirmation on the email queue
    _, messages = booking_messages(client, pipeline, EMAIL_QUEUE.name, "ada")
    # When the worker gets it twice (an SQS redelivery)
    for _ in range(2):
        outcome = pipeline.invoke(EMAIL_QUEUE.name, messages)
        assert outcome.failed_ids == [] and not outcome.raised
    # Then Ada got one mail: the send's claim, not a Powertools record, kept it once
    assert [m["Subject"] for m in mail_to("ada@example.com")] == [
        "Reservation confirmed: Resource room-1"
    ]
    assert not [k for k in idempotency_records() if k.startswith(EMAIL_QUEUE.name)]
