"""What people read: in-app notification texts, email templates, .ics invitations, MIME."""

from __future__ import annotations

from icalendar import Calendar

from chalicelib.domain.pipeline.email_templates import EmailContext, render
from chalicelib.domain.pipeline.notifications import Contact, compose, local_window, recipients
from chalicelib.integrations.ical import CalendarEntry, build_ics
from chalicelib.integrations.mailer import Attachment, OutgoingEmail
from tests.fakes.outbound import InMemoryMailer
from tests.unit.event_factories import ADMIN, AT, OWNER, event

WINDOW = {"start_time": "2026-11-25T10:00:00.000Z", "end_time": "2026-11-25T11:00:00.000Z"}
OWNER_CONTACT = Contact(OWNER, "ada", "ada@example.com", timezone="Europe/Paris")


def test_the_owner_is_told_when_an_admin_cancels() -> None:
    cancelled = event("reservation.cancelled", actor_id=ADMIN, cancel_reason="VIP", **WINDOW)
    assert recipients(cancelled) == [OWNER]
    note = compose(cancelled, OWNER_CONTACT, resource_name="Room 101")
    assert note is not None
    assert note.user_id == OWNER
    assert note.title == "Reservation cancelled"
    assert "by an administrator" in note.body and "VIP" in note.body and "Room 101" in note.body
    # The owner's own cancel does not blame an administrator
    own = compose(
        event("reservation.cancelled", actor_id=OWNER, **WINDOW),
        OWNER_CONTACT,
        resource_name="Room 101",
    )
    assert own is not None and "administrator" not in own.body


def test_times_are_shown_in_the_readers_zone() -> None:
    assert local_window(WINDOW, "Europe/Paris") == "Wed 25 Nov 2026, 11:00-12:00 (Europe/Paris)"
    assert local_window(WINDOW, "Not/AZone") == "Wed 25 Nov 2026, 10:00-11:00 (UTC)"
    assert local_window({}, "UTC") == ""


def test_notification_ids_are_stable_per_event_and_user() -> None:
    created = event("reservation.created", **WINDOW)
    first = compose(created, OWNER_CONTACT, resource_name=None)
    again = compose(created, OWNER_CONTACT, resource_name=None)
    assert first is not None and again is not None
    assert first.notification_id == again.notification_id
    assert first.data["reservation_id" if "reservation_id" in first.data else "resource_id"]


def test_events_without_a_text_make_no_notification() -> None:
    assert compose(event("resource.updated"), OWNER_CONTACT, resource_name="x") is None


def test_email_templates_have_text_and_escaped_html() -> None:
    ctx = EmailContext(
        username="<b>ada</b>",
        what="Room <1>",
        when="tomorrow",
        link="https://app/#/r/1",
        by_admin=True,
        reason="a & b",
    )
    content = render("reservation.cancelled", ctx)
    assert content is not None
    assert content.subject == "Reservation cancelled: Room <1>"
    assert "by an administrator" in content.text and "Reason: a & b" in content.text
    assert "<b>ada</b>" not in content.html and "&lt;b&gt;ada&lt;/b&gt;" in content.html
    assert "a &amp; b" in content.html
    for name in (
        "reservation.created",
        "reservation.reminder_due",
        "waitlist.offered",
        "waitlist.offer_expired",
        "approval.requested",
        "approval.approved",
        "approval.rejected",
        "series.cancelled",
        "reservation.rescheduled",
    ):
        assert render(name, ctx) is not None, name
    assert render("resource.updated", ctx) is None


def test_ics_invitation_and_cancellation_share_one_uid() -> None:
    entry = CalendarEntry(
        "r1",
        "Reservation: Room 101",
        AT,
        AT.replace(hour=10),
        AT,
        location="Room 101",
        organizer_email="no-reply@x",
    )
    request = Calendar.from_ical(build_ics(entry, "REQUEST"))
    cancel = Calendar.from_ical(build_ics(entry, "CANCEL"))
    assert str(request["method"]) == "REQUEST" and str(cancel["method"]) == "CANCEL"
    [req_event] = request.walk("VEVENT")
    [cancel_event] = cancel.walk("VEVENT")
    assert str(req_event["uid"]) == str(cancel_event["uid"]) == "r1@resource-reserver"
    assert str(cancel_event["status"]) == "CANCELLED"
    assert req_event.decoded("dtstart") == AT


def test_mail_is_multipart_text_html_and_attachment() -> None:
    mailer = InMemoryMailer("no-reply@reserver.local")
    mailer.send(
        OutgoingEmail(
            to="ada@example.com",
            subject="Hi",
            text="plain",
            html="<p>rich</p>",
            attachments=(Attachment("r.ics", "text/calendar; method=REQUEST", b"BEGIN:VCALENDAR"),),
        )
    )
    [message] = mailer.sent
    assert message["To"] == "ada@example.com" and message["From"] == "no-reply@reserver.local"
    types = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    [ics] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_filename() == "r.ics"
