"""Webhook retries: 1 min, 5 min, 15 min (SQS delays), 1 h, 2 h (parked for the sweep job),
then failed and dead-lettered; a late success stops the retries; duplicates do nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.services.pipeline.webhook_dispatch import DeliveryTask
from tests.factories import ADMIN_PASSWORD, ADMIN_USERNAME, auth_headers, login, send_json
from tests.fakes.outbound import InMemoryTaskQueue
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, person
from tests.integration.reservations_kit import at, booked, create_resource
from tests.integration.test_webhooks import allow_loopback, deliveries, subscribe
from tests.integration.webhook_receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Any:
    with running_receiver() as running:
        running.status = 500
        running.reply = b"upstream down"
        yield running


def one_delivery(
    client: Client, clock: FrozenClock, admin_token: str, receiver: Receiver
) -> tuple[Person, str, InMemoryTaskQueue]:
    """Ada's booking, fanned out to her webhook; the delivery tasks go to a fake queue."""
    create_resource("room-1")
    queue = InMemoryTaskQueue()
    wiring.override("delivery_queue", queue)
    ada = person(client, "ada")
    allow_loopback(client, admin_token, ada.user_id)
    hook = subscribe(client, ada.token, receiver.url)
    booked(client, ada.token, at(10), at(11))
    Pipeline(app).run()
    return ada, str(hook["webhook_id"]), queue


def attempt_next(queue: InMemoryTaskQueue) -> int:
    """Run the newest queued task; returns the delay it was queued with."""
    task, delay = queue.tasks[-1]
    wiring.dispatcher().attempt(DeliveryTask.parse(task))
    return delay


def as_admin(client: Client) -> str:
    """A fresh admin token (the frozen clock moves hours ahead in these tests)."""
    return str(login(client, ADMIN_USERNAME, ADMIN_PASSWORD)["access_token"])


def log_of(client: Client, webhook_id: str) -> list[dict[str, Any]]:
    return deliveries(client, str(login(client, "ada")["access_token"]), webhook_id)


def run_job(client: Client, name: str) -> dict[str, int]:
    token = as_admin(client)
    response = send_json(client, "POST", f"/api/v1/admin/jobs/{name}/run", None, token)
    assert response.status_code == 200, response.body
    result: dict[str, int] = response.json_body["result"]
    return result


def test_failures_back_off_then_fail_into_the_dlq(
    client: Client, clock: FrozenClock, admin_token: str, receiver: Receiver
) -> None:
    _ada, webhook_id, queue = one_delivery(client, clock, admin_token, receiver)
    # The first attempt was queued without delay
    assert [delay for _, delay in queue.tasks] == [0]
    delays = []
    for wait in (0, 60, 300, 900):  # attempts 1-4: each failure queues the next with a delay
        clock.advance(timedelta(seconds=wait))
        attempt_next(queue)
        delays.append(queue.tasks[-1][1])
    assert delays == [60, 300, 900, 900]  # the fourth failure parks the delivery instead:
    assert len(queue.tasks) == 4  # ... nothing new was queued after attempt 4
    [delivery] = log_of(client, webhook_id)
    assert delivery["status"] == "retrying" and len(delivery["attempts"]) == 4
    # The sweep leaves it until its hour has come, then queues it once, however many run
    assert run_job(client, "webhook-retry-sweep") == {"enqueued": 0}
    clock.advance(timedelta(hours=1))
    assert run_job(client, "webhook-retry-sweep") == {"enqueued": 1}
    assert run_job(client, "webhook-retry-sweep") == {"enqueued": 0}
    attempt_next(queue)  # attempt 5 fails: parked for 2 h
    clock.advance(timedelta(hours=2))
    assert run_job(client, "webhook-retry-sweep") == {"enqueued": 1}
    attempt_next(queue)  # attempt 6 fails: give up
    [delivery] = log_of(client, webhook_id)
    assert delivery["status"] == "failed"
    assert [a["status_code"] for a in delivery["attempts"]] == [500] * 6
    assert delivery["attempts"][0]["response_excerpt"] == "upstream down"
    [(dead, reason)] = queue.dead
    assert dead["delivery_id"] == delivery["delivery_id"] and dead["attempt"] == 7
    assert reason == "HTTP 500"
    assert len(receiver.received) == 6


def test_a_success_stops_the_retries_and_duplicates_do_nothing(
    client: Client, clock: FrozenClock, admin_token: str, receiver: Receiver
) -> None:
    _ada, webhook_id, queue = one_delivery(client, clock, admin_token, receiver)
    attempt_next(queue)  # fails
    receiver.status = 204
    clock.advance(timedelta(minutes=1))
    attempt_next(queue)  # succeeds
    attempt_next(queue)  # the same message again (SQS at-least-once): no second POST
    [delivery] = log_of(client, webhook_id)
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 204]
    assert len(receiver.received) == 2
    assert len(queue.tasks) == 2 and queue.dead == []


def test_through_sqs_with_a_shrunk_schedule_a_dead_receiver_ends_in_the_dlq(
    client: Client,
    clock: FrozenClock,
    admin_token: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given retries scaled down to nothing (as the e2e stack does) and real SQS queues
    monkeypatch.setenv("WEBHOOK_RETRY_SCALE", "0.0001")
    wiring.rebuild()
    create_resource("room-1")
    ada = person(client, "ada")
    allow_loopback(client, admin_token, ada.user_id)
    hook = subscribe(client, ada.token, receiver.url)
    booked(client, ada.token, at(10), at(11))
    # When the pipeline runs until nothing moves
    pipeline = Pipeline(app)
    pipeline.run(rounds=40)
    # Then all six attempts were made and the delivery is failed and dead-lettered
    [delivery] = deliveries(client, ada.token, hook["webhook_id"])
    assert delivery["status"] == "failed" and len(delivery["attempts"]) == 6
    assert len(receiver.received) == 6
    response = client.http.get("/api/v1/admin/dead-letters", headers=auth_headers(admin_token))
    dlq = next(q for q in response.json_body if q["queue"] == "reserver-webhook-deliveries")
    assert dlq["approximate_count"] == 1
    assert dlq["messages"][0]["event_name"] == "webhook.delivery"
    assert dlq["messages"][0]["reason"] == "HTTP 500"
