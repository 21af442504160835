"""The pipeline in-process: table writes -> stream -> bus -> queues -> idempotent workers.

Nothing is lost (a refused publish is retried, a failing record is redelivered), nothing
happens twice (a redelivered message has no second effect), and a poison message ends in
the DLQ where admins see it and can redrive it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.integrations.event_bus import PublishFailed
from chalicelib.settings import get_settings
from chalicelib.store.pipeline.audit_stats import AuditStatsStore
from chalicelib.topology import (
    ANALYTICS_QUEUE,
    AUDIT_QUEUE,
    EMAIL_QUEUE,
    NOTIFY_QUEUE,
    STREAM_HANDLER,
)
from chalicelib.workers.batch import SELF_IDEMPOTENT
from infra.local.appload import lambda_context
from tests.factories import auth_headers, send_json
from tests.fakes.websocket import FakeWebsocketAPI
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import (
    FlakyMailer,
    RefusingEventBridge,
    detail,
    event_names,
    mail_to,
    notifications,
    person,
)
from tests.integration.reservations_kit import at, booked, cancel, create_resource
from tests.integration.ws_kit import WsClient


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Iterator[Pipeline]:
    create_resource("room-1")
    yield Pipeline(app)


def test_a_booking_reaches_every_queue_it_concerns(client: Client, pipeline: Pipeline) -> None:
    # Given a user, When they book and the stream is relayed
    ada = person(client, "ada")
    booked(client, ada.token, at(10), at(11))
    pipeline.pump_stream()
    # Then the bus rules put the event on the notify, email and webhook queues, and the
    # audit queue gets one entry per audited change (the user and the reservation)
    assert "reservation.created" in event_names(pipeline.bodies(NOTIFY_QUEUE.name))
    assert "reservation.created" in event_names(pipeline.bodies(EMAIL_QUEUE.name))
    assert "reservation.created" in event_names(pipeline.bodies("reserver-webhooks"))
    audited = [b["detail"]["data"]["entity_type"] for b in pipeline.bodies(AUDIT_QUEUE.name)]
    assert {"reservation", "user"} <= set(audited)


def test_booking_notifies_the_owner_in_app_and_by_email(client: Client, pipeline: Pipeline) -> None:
    ada = person(client, "ada")
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    page = notifications(client, ada.token)
    assert page["unread_count"] == 1
    assert [n["kind"] for n in page["items"]] == ["reservation.created"]
    assert "Resource room-1" in page["items"][0]["body"]
    [mail] = mail_to("ada@example.com")
    assert mail["Subject"] == "Reservation confirmed: Resource room-1"


def test_an_admin_cancel_notifies_the_owner_not_the_admin(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    # Given Ada's reservation
    ada = person(client, "ada")
    reservation_id = booked(client, ada.token, at(10), at(11))
    pipeline.run()
    # When an admin cancels it
    assert cancel(client, admin_token, reservation_id, "VIP visit").status_code == 200
    pipeline.run()
    # Then Ada is told (by an administrator, with the reason); the admin is not
    kinds = [n["kind"] for n in notifications(client, ada.token)["items"]]
    assert kinds == ["reservation.cancelled", "reservation.created"]
    latest = notifications(client, ada.token)["items"][0]
    assert "by an administrator" in latest["body"] and "VIP visit" in latest["body"]
    assert notifications(client, admin_token)["items"] == []
    subjects = [m["Subject"] for m in mail_to("ada@example.com")]
    assert "Reservation cancelled: Resource room-1" in subjects


def test_a_refused_publish_is_retried_until_the_bus_takes_it(
    client: Client, pipeline: Pipeline
) -> None:
    # Given a bus that refuses the first two entries it is sent
    flaky = RefusingEventBridge(boto3.client("events"), refusals=2)
    wiring.override("aws:events", flaky)
    ada = person(client, "ada")
    booked(client, ada.token, at(10), at(11))
    # When the stream is relayed
    pipeline.run()
    # Then the refused entries were sent again and every effect happened
    assert flaky.calls >= 2
    assert notifications(client, ada.token)["unread_count"] == 1


def test_a_bus_that_keeps_refusing_fails_the_stream_batch(
    client: Client, pipeline: Pipeline
) -> None:
    # Given a bus that refuses everything
    wiring.override("aws:events", RefusingEventBridge(boto3.client("events"), 10**6))
    ada = person(client, "ada")
    booked(client, ada.token, at(10), at(11))
    records = pipeline.stream_records()
    # When the stream handler runs, Then it raises: Lambda retries the batch, nothing is lost
    handler = app.handler_map[STREAM_HANDLER]
    with pytest.raises(PublishFailed):
        handler({"Records": records}, lambda_context(STREAM_HANDLER))


def test_a_worker_failing_mid_batch_still_applies_every_event_exactly_once(
    client: Client, pipeline: Pipeline
) -> None:
    # Given three bookings whose confirmation emails wait in one batch
    people = [person(client, name) for name in ("ada", "bea", "cyd")]
    for hour, someone in zip((9, 11, 13), people, strict=True):
        booked(client, someone.token, at(hour), at(hour + 1))
    pipeline.run(skip=(EMAIL_QUEUE.name,))
    messages = pipeline.receive(EMAIL_QUEUE.name)
    # (with the registrations' verification requests: they send nothing, the factory has
    # verified the addresses already)
    names = sorted(detail(m["Body"])["metadata"]["event_name"] for m in messages)
    assert names == ["reservation.created"] * 3 + ["user.email_verification_requested"] * 3
    # And a mailer that fails twice for the middle one: when the worker sends the batch at
    # once, then when it retries the batch record by record (workers/batch.py)
    mailer = FlakyMailer(fail_once_for={"bea@example.com"}, times=2)
    wiring.override("mailer", mailer)
    # When the worker gets the batch
    first = pipeline.invoke(EMAIL_QUEUE.name, messages)
    # Then only that record is reported failed; the others are done
    assert len(first.failed_ids) == 1 and not first.raised
    assert sorted(m["To"] for m in mailer.sent) == ["ada@example.com", "cyd@example.com"]
    # When every message of the batch is delivered again (SQS may redeliver successes too)
    again = pipeline.invoke(EMAIL_QUEUE.name, messages)
    # Then the failed one takes effect now and the others have no second effect
    assert again.failed_ids == []
    sent = sorted(m["To"] for m in mailer.sent)
    assert sent == ["ada@example.com", "bea@example.com", "cyd@example.com"]
    assert mailer.failures == 2
    # And the claims behind those sends, like the catalogue's version item, are bookkeeping,
    # not audited changes
    pipeline.run()
    audited = {v.value for v in AuditStatsStore().seen("entity", max_rows=100)}
    assert audited == {"reservation", "resource", "user"}


def test_a_poison_message_ends_in_the_dlq_visible_to_admins_who_can_redrive_it(
    client: Client, pipeline: Pipeline, admin_token: str, user_token: str
) -> None:
    # Given a message no worker can read
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=pipeline.url(NOTIFY_QUEUE.name), MessageBody='{"not": "an event"}')
    # When the workers run until the queue is empty
    pipeline.run()
    # Then it went to the DLQ after max_receive_count attempts, and nothing else was blocked
    assert pipeline.receive(NOTIFY_QUEUE.name) == []
    response = client.http.get("/api/v1/admin/dead-letters", headers=auth_headers(admin_token))
    assert response.status_code == 200
    notify = next(q for q in response.json_body if q["queue"] == NOTIFY_QUEUE.name)
    assert notify["approximate_count"] == 1
    assert notify["messages"][0]["body_excerpt"] == '{"not": "an event"}'
    # And users may neither look nor redrive
    forbidden = client.http.get("/api/v1/admin/dead-letters", headers=auth_headers(user_token))
    assert forbidden.status_code == 403
    path = f"/api/v1/admin/dead-letters/{NOTIFY_QUEUE.name}/redrive"
    assert send_json(client, "POST", path, {}, user_token).status_code == 403
    # When an admin redrives it, Then it is back on its queue
    moved = send_json(client, "POST", path, {"max_messages": 10}, admin_token)
    assert moved.status_code == 200 and moved.json_body == {"queue": NOTIFY_QUEUE.name, "moved": 1}
    assert [json.loads(m["Body"]) for m in pipeline.receive(NOTIFY_QUEUE.name)] == [
        {"not": "an event"}
    ]


def test_redrive_of_an_unknown_queue_is_404_and_bad_bodies_422(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    unknown = send_json(client, "POST", "/api/v1/admin/dead-letters/nope/redrive", {}, admin_token)
    assert unknown.status_code == 404
    path = f"/api/v1/admin/dead-letters/{NOTIFY_QUEUE.name}/redrive"
    bad = send_json(client, "POST", path, {"max_messages": 0}, admin_token)
    assert bad.status_code == 422
    anonymous = client.http.get("/api/v1/admin/dead-letters")
    assert anonymous.status_code == 401


def test_the_notification_is_pushed_to_the_owners_open_websockets(
    client: Client, pipeline: Pipeline, clock: FrozenClock
) -> None:
    # Given Ada signed in on one WebSocket connection, Bea on another
    fake = FakeWebsocketAPI()
    wiring.use_websocket_api(fake)
    ada, bea = person(client, "ada"), person(client, "bea")
    sockets = {
        who.username: WsClient(fake, f"conn-{who.username}").connect().sign_in(who.token)
        for who in (ada, bea)
    }
    # When Ada books
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    # Then only Ada's connection gets the notification, as listed by the API
    [pushed] = sockets["ada"].messages("notification")
    listed = notifications(client, ada.token)["items"][0]
    assert pushed["type"] == "notification"
    assert pushed["notification"]["notification_id"] == listed["notification_id"]
    assert pushed["notification"]["kind"] == "reservation.created"
    assert sockets["bea"].messages("notification") == []


def test_a_series_is_announced_once_not_once_per_occurrence(
    client: Client, pipeline: Pipeline
) -> None:
    # Given Ada books a weekly series of three
    ada = person(client, "ada")
    body = {
        "resource_id": "room-1",
        "start_time": "2026-11-25T10:00:00Z",
        "end_time": "2026-11-25T11:00:00Z",
        "rrule": "FREQ=WEEKLY;COUNT=3",
    }
    created = send_json(client, "POST", "/api/v1/reservations/recurring", body, ada.token)
    assert created.status_code == 201, created.body
    series_id = created.json_body["series_id"]
    pipeline.run()
    # Then she gets one notification and one email for the series
    assert [n["kind"] for n in notifications(client, ada.token)["items"]] == ["series.created"]
    assert mail_to("ada@example.com") == []  # series.created is in-app only
    # When she cancels the whole series, Then again one notice, not three
    cancelled = send_json(
        client, "POST", f"/api/v1/series/{series_id}/cancel", {"reason": "project over"}, ada.token
    )
    assert cancelled.status_code == 200, cancelled.body
    pipeline.run()
    kinds = [n["kind"] for n in notifications(client, ada.token)["items"]]
    assert kinds == ["series.cancelled", "series.created"]
    assert [m["Subject"] for m in mail_to("ada@example.com")] == [
        "Recurring reservation cancelled: Resource room-1"
    ]


def test_self_idempotent_workers_keep_no_record_and_a_redelivery_changes_nothing(
    client: Client, pipeline: Pipeline
) -> None:
    # (a redelivered notification, audit change or analytics event has no second effect)
    # Given a booking whose messages reach the notify, audit and analytics queues
    ada = person(client, "ada")
    booked(client, ada.token, at(10), at(11))
    pipeline.pump_stream()
    for queue in (NOTIFY_QUEUE, AUDIT_QUEUE, ANALYTICS_QUEUE):
        messages = pipeline.receive(queue.name)
        assert messages, queue.name
        # When each is handled twice (an SQS redelivery, with no Powertools record now)
        for _ in range(2):
            outcome = pipeline.invoke(queue.name, messages)
            assert outcome.failed_ids == [] and not outcome.raised, queue.name
    # Then one notification, and the booking counted once in Ada's figures
    page = notifications(client, ada.token)
    assert len(page["items"]) == 1 and page["unread_count"] == 1
    day = at(10).date().isoformat()
    path = f"/api/v1/analytics/dashboard?from={day}&to={day}"
    figures = client.http.get(path, headers=auth_headers(ada.token)).json_body
    assert (figures["reservations"], figures["booked_hours"]) == (1, 1.0)
    # And those workers wrote no idempotency record (two writes per event saved)
    table = get_settings().idempotency_table_name
    keys = [i["id"]["S"] for i in boto3.client("dynamodb").scan(TableName=table)["Items"]]
    for queue in SELF_IDEMPOTENT:
        assert not [k for k in keys if k.startswith(queue)], queue
