"""Email through (moto's) SES: confirmations with an .ics, cancellations, reminders exactly
once; nothing for users who opted out or have no address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from chalice.test import Client
from icalendar import Calendar

from app import app
from chalicelib.domain.clock import FrozenClock
from tests.factories import ADMIN_PASSWORD, ADMIN_USERNAME, login, send_json
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import (
    mail_to,
    notifications,
    person,
    sent_mail,
    set_preferences,
    text_of,
)
from tests.integration.reservations_kit import at, booked, cancel, create_resource


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Pipeline:
    create_resource("room-1")
    return Pipeline(app)


def ics_of(message: object) -> Calendar:
    for part in message.walk():  # type: ignore[attr-defined]
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no calendar attachment")


def run_job(client: Client, name: str) -> dict[str, int]:
    token = str(login(client, ADMIN_USERNAME, ADMIN_PASSWORD)["access_token"])
    response = send_json(client, "POST", f"/api/v1/admin/jobs/{name}/run", None, token)
    assert response.status_code == 200, response.body
    result: dict[str, int] = response.json_body["result"]
    return result


def test_confirmation_and_cancellation_carry_matching_invitations(
    client: Client, pipeline: Pipeline
) -> None:
    ada = person(client, "ada")
    reservation_id = booked(client, ada.token, at(10), at(11))
    pipeline.run()
    cancel(client, ada.token, reservation_id)
    pipeline.run()
    confirmation, cancellation = mail_to("ada@example.com")
    assert confirmation["From"] == "no-reply@reserver.local"
    types = {p.get_content_type() for p in confirmation.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= types
    assert "Hello ada," in text_of(confirmation)
    request, cancelled = ics_of(confirmation), ics_of(cancellation)
    assert str(request["method"]) == "REQUEST" and str(cancelled["method"]) == "CANCEL"
    [event] = request.walk("VEVENT")
    assert str(event["uid"]) == f"{reservation_id}@resource-reserver"
    assert event.decoded("dtstart") == at(10)
    assert cancellation["Subject"] == "Reservation cancelled: Resource room-1"


def test_no_email_for_users_who_opted_out_or_have_no_address(
    client: Client, pipeline: Pipeline
) -> None:
    quiet = person(client, "quiet")
    set_preferences(client, quiet, email_notifications=False)
    nomail = person(client, "nomail", email_address=None)
    booked(client, quiet.token, at(10), at(11))
    booked(client, nomail.token, at(12), at(13))
    pipeline.run()
    assert sent_mail() == []
    # They are still told in the app
    assert notifications(client, quiet.token)["unread_count"] == 1
    assert notifications(client, nomail.token)["unread_count"] == 1


def test_a_reminder_goes_out_once_reminder_hours_before_the_start(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    # Given Ada (24 h reminders) booked for tomorrow 10:00 (25 h from now)
    ada = person(client, "ada")
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    # When the reminders job runs now, Then it is too early
    assert run_job(client, "send-reminders") == {"emitted": 0, "already_sent": 0}
    # When it runs 24 h before the start, twice (overlapping runs), Then one reminder only
    clock.advance(timedelta(hours=1))
    assert run_job(client, "send-reminders") == {"emitted": 1, "already_sent": 0}
    assert run_job(client, "send-reminders") == {"emitted": 0, "already_sent": 1}
    pipeline.run()
    reminders = [m for m in mail_to("ada@example.com") if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 1
    assert "Resource room-1" in reminders[0]["Subject"]
    fresh = str(login(client, "ada")["access_token"])
    kinds = [n["kind"] for n in notifications(client, fresh)["items"]]
    assert kinds.count("reservation.reminder_due") == 1


def test_reminders_follow_each_users_setting(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    early, never = person(client, "early"), person(client, "never")
    set_preferences(client, early, reminder_hours=48)
    set_preferences(client, never, reminder_hours=0)
    booked(client, early.token, at(10), at(11))
    booked(client, never.token, at(12), at(13))
    pipeline.run()
    assert run_job(client, "send-reminders") == {"emitted": 1, "already_sent": 0}
    pipeline.run()
    assert [m["To"] for m in sent_mail() if m["Subject"].startswith("Reminder")] == [
        "early@example.com"
    ]


def test_a_booking_awaiting_approval_says_so_and_invites_nobody_yet(
    client: Client, clock: FrozenClock
) -> None:
    create_resource("room-2", requires_approval=True)
    pipeline = Pipeline(app)
    ada = person(client, "ada")
    booked(client, ada.token, at(10), at(11), resource_id="room-2")
    pipeline.run()
    [mail] = mail_to("ada@example.com")
    assert mail["Subject"] == "Reservation requested: Resource room-2"
    assert "waiting for approval" in text_of(mail)
    assert "text/calendar" not in {p.get_content_type() for p in mail.walk()}
    [note] = notifications(client, ada.token)["items"]
    assert note["title"] == "Reservation awaiting approval"
