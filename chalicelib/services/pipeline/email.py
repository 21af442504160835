"""The email worker's use case: an event -> a message to each affected user who wants email.

Users who switched email off (`email_notifications: false`) or have no address get nothing.
Confirmations and moves carry an .ics invitation, cancellations an .ics cancellation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.email_templates import (
    PENDING_APPROVAL,
    EmailContext,
    context_extra,
    render,
)
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.pipeline.notifications import Contact, local_window, recipients
from chalicelib.domain.timeutil import parse_instant
from chalicelib.integrations.ical import CalendarEntry, build_ics
from chalicelib.integrations.mailer import Attachment, Mailer, OutgoingEmail
from chalicelib.observability import logger
from chalicelib.services.pipeline.notifications import Directory, is_series_occurrence_noise

_ICS_METHOD = {
    ev.RESERVATION_CREATED: "REQUEST",
    ev.RESERVATION_RESCHEDULED: "REQUEST",
    ev.RESERVATION_CANCELLED: "CANCEL",
}


@dataclass(frozen=True)
class EmailSettings:
    sender: str
    frontend_url: str


# Approvals (issue 10): emailed to the approvers of the request's current step.
APPROVER_EVENTS = frozenset({ev.APPROVAL_REQUESTED, ev.APPROVAL_REMINDER_DUE})


@dataclass(frozen=True)
class ApproverMail:
    """Who decides a request's step (resource id, step -> user ids), and the signed one-click
    link for one of them (request id, step, user id -> URL)."""

    approvers: Callable[[str, int], list[str]]
    link: Callable[[str, int, str], str]


class EmailService:
    def __init__(
        self,
        directory: Directory,
        mailer: Mailer,
        settings: EmailSettings,
        approver_mail: ApproverMail | None = None,
    ) -> None:
        self._directory = directory
        self._mailer = mailer
        self._settings = settings
        self._approver_mail = approver_mail

    def deliver(self, event: DomainEvent) -> int:
        """Send the event's email to each recipient who wants one; returns how many went."""
        sent = 0
        if is_series_occurrence_noise(event, self._directory):
            return 0
        for user_id in self._recipients(event):
            contact = self._directory.contact(user_id)
            if contact is None or not contact.wants_email:
                logger.info("no email sent", extra={"user_id": user_id, "event": event.name})
                continue
            email = self.compose(event, contact)
            if email is not None:
                self._mailer.send(email)
                sent += 1
        return sent

    def compose(self, event: DomainEvent, contact: Contact) -> OutgoingEmail | None:
        data = event.data
        resource_id = str(data.get("resource_id") or "")
        what = (self._directory.resource_name(resource_id) if resource_id else None) or (
            resource_id or "your resource"
        )
        actor = str(data.get("actor_id") or "")
        ctx = EmailContext(
            username=contact.username,
            what=what,
            when=local_window(data, contact.timezone),
            link=self._link(event, contact.user_id),
            by_admin=actor not in {"", contact.user_id, "unknown"},
            reason=str(
                data.get("cancel_reason") or data.get("reason") or data.get("closed_reason") or ""
            ),
            extra=context_extra(data),
        )
        pending = event.name == ev.RESERVATION_CREATED and data.get("status") == "pending_approval"
        content = render(PENDING_APPROVAL if pending else event.name, ctx)
        if content is None or not contact.email:
            return None
        return OutgoingEmail(
            to=contact.email,
            subject=content.subject,
            text=content.text,
            html=content.html,
            attachments=() if pending else self._invitation(event, what),
            headers={"X-Reserver-Event-Id": event.event_id},
        )

    def _recipients(self, event: DomainEvent) -> list[str]:
        data, mail = event.data, self._approver_mail
        if event.name in APPROVER_EVENTS and mail is not None:
            return mail.approvers(str(data.get("resource_id") or ""), int(data.get("step") or 0))
        return _email_recipients(event)

    def _link(self, event: DomainEvent, user_id: str) -> str:
        data, mail = event.data, self._approver_mail
        if event.name in APPROVER_EVENTS and mail is not None:
            step = int(data.get("step") or 0)
            return mail.link(str(data.get("reservation_id")), step, user_id)
        base = self._settings.frontend_url.rstrip("/")
        reservation_id = data.get("reservation_id")
        return f"{base}/#/reservations/{reservation_id}" if reservation_id else base

    def _invitation(self, event: DomainEvent, what: str) -> tuple[Attachment, ...]:
        method = _ICS_METHOD.get(event.name)
        data = event.data
        if method is None or not data.get("start_time") or not data.get("end_time"):
            return ()
        entry = CalendarEntry(
            reservation_id=str(data.get("reservation_id")),
            summary=f"Reservation: {what}",
            start=parse_instant(str(data["start_time"])),
            end=parse_instant(str(data["end_time"])),
            stamped_at=event.metadata.occurred_at,
            description=str(data.get("notes") or ""),
            location=what,
            organizer_email=self._settings.sender,
        )
        ics = build_ics(entry, "CANCEL" if method == "CANCEL" else "REQUEST")
        return (Attachment("reservation.ics", f"text/calendar; method={method}", ics),)


def _email_recipients(event: DomainEvent) -> list[str]:
    """Approval requests go to the approvers; everything else to the affected user."""
    if event.name == ev.APPROVAL_REQUESTED:
        return [str(u) for u in event.data.get("approver_ids") or []]
    return recipients(event)
