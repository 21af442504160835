"""The email worker's use case: an event -> a message to each affected user who wants email.

Users who switched email off (`email_notifications: false`), have no address, or have not
verified it (finding 14) get nothing; each skip is recorded with its reason (a log line and
the report), never an error: nothing is retried or dead-lettered for it. The one mail an
unverified address gets is its verification link (`user.email_verification_requested`).
Confirmations and moves carry an .ics invitation, cancellations an .ics cancellation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.clock import Clock
from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.email_templates import (
    PENDING_APPROVAL,
    EmailContext,
    context_extra,
    render,
    render_verification,
)
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.pipeline.notifications import Contact, local_window, recipients
from chalicelib.domain.pipeline.sends import ClaimedSends
from chalicelib.domain.timeutil import parse_instant
from chalicelib.integrations.ical import CalendarEntry, build_ics
from chalicelib.integrations.mailer import Attachment, Mailer, OutgoingEmail
from chalicelib.observability import logger
from chalicelib.services.pipeline.directory_memo import MemoDirectory
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


@dataclass(frozen=True)
class VerificationMail:
    address: str
    username: str
    link: str
    valid_hours: int


class VerificationLinks(Protocol):
    """The accounts side: the signed link of a user's pending verification, if still due."""

    def mail_for(self, user_id: str, verification_id: str) -> VerificationMail | None: ...


@dataclass
class EmailReport:
    sent: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (user id, reason)

    def skip(self, user_id: str, event_name: str, reason: str) -> None:
        self.skipped.append((user_id, reason))
        logger.info(
            "no email sent", extra={"user_id": user_id, "event": event_name, "reason": reason}
        )


def why_no_email(contact: Contact | None) -> str | None:
    if contact is None:
        return "unknown_or_disabled_user"
    if not contact.email:
        return "no_address"
    if not contact.email_notifications:
        return "email_notifications_off"
    if not contact.email_verified:
        return "address_not_verified"
    return None


# Approvals (issue 10): emailed to the approvers of the request's current step.
APPROVER_EVENTS = frozenset({ev.APPROVAL_REQUESTED, ev.APPROVAL_REMINDER_DUE})


@dataclass(frozen=True)
class ApproverMail:
    """Who decides a request's step (resource id, step -> user ids), and the signed one-click
    link for one of them (request id, step, user id -> URL)."""

    approvers: Callable[[str, int], list[str]]
    link: Callable[[str, int, str], str]


class EmailClaims(Protocol):
    """Once-only sends for a batch of mails (store/pipeline/email_claims.py)."""

    def claim(self, keys: Sequence[str], *, now: datetime, lease: timedelta) -> ClaimedSends: ...

    def confirm(self, keys: Sequence[str], *, now: datetime) -> None: ...

    def release(self, keys: Sequence[str]) -> None: ...


class SendsInProgress(Exception):
    """Some mails of the batch are being sent by another invocation: retry the batch later."""


@dataclass(frozen=True)
class BatchSends:
    """What the bulk lane needs to send a batch once: claims, the clock, the claims' lease
    (longer than one invocation: a crashed sender's mails are taken over after it)."""

    claims: EmailClaims
    clock: Clock
    lease: timedelta


class EmailService:
    def __init__(
        self,
        directory: Directory,
        mailer: Mailer,
        settings: EmailSettings,
        links: VerificationLinks,
        *,
        batch: BatchSends,
        approver_mail: ApproverMail | None = None,
    ) -> None:
        self._directory = directory
        self._mailer = mailer
        self._settings = settings
        self._links = links
        self._approver_mail = approver_mail
        self._batch = batch

    def deliver(self, event: DomainEvent) -> EmailReport:
        """Send the event's email to each recipient who may get one; says who got none, why."""
        return self.deliver_many([event])

    def deliver_many(self, events: Sequence[DomainEvent]) -> EmailReport:
        """`deliver` for a batch (the bulk lane's envelopes, issue 16; the email worker sends
        a batch of one): users and resources looked up once, each mail sent at most once per
        (event, recipient) through claims taken in one transaction, and only for mails to
        send (an event that mails nobody writes nothing). Raises `SendsInProgress` (after
        sending the rest) when another invocation holds some claims."""
        batch = self._batch
        report, directory = EmailReport(), MemoDirectory(self._directory)
        directory.prefetch(events, _owners_to_mail)
        mails = dict(m for event in events for m in self._mails(event, directory, report))
        if not mails:
            return report
        claimed = batch.claims.claim(list(mails), now=batch.clock.now(), lease=batch.lease)
        sent: list[str] = []
        try:
            for key in claimed.mine:
                self._mailer.send(mails[key])
                sent.append(key)
        except Exception:
            batch.claims.release([k for k in claimed.mine if k not in set(sent)])
            raise
        finally:
            batch.claims.confirm(sent, now=batch.clock.now())
        report.sent += len(sent)
        if claimed.busy:
            raise SendsInProgress(f"{len(claimed.busy)} mail(s) are being sent elsewhere")
        return report

    def _mails(
        self, event: DomainEvent, directory: Directory, report: EmailReport
    ) -> Iterator[tuple[str, OutgoingEmail]]:
        """(event id#user id, mail) for each recipient who may get one; records the others."""
        if event.name == ev.USER_EMAIL_VERIFICATION_REQUESTED:
            verification = self._verification(event, report)
            if verification is not None:
                yield verification
            return
        if is_series_occurrence_noise(event, directory):
            return
        for user_id in self._recipients(event):
            contact = directory.contact(user_id)
            reason = why_no_email(contact)
            if reason is not None or contact is None:
                report.skip(user_id, event.name, reason or "unknown_or_disabled_user")
                continue
            email = self.compose(event, contact, directory)
            if email is not None:
                yield f"{event.event_id}#{user_id}", email

    def _verification(
        self, event: DomainEvent, report: EmailReport
    ) -> tuple[str, OutgoingEmail] | None:
        user_id = str(event.data.get("user_id") or "")
        mail = self._links.mail_for(user_id, str(event.data.get("verification_id") or ""))
        if mail is None:  # verified, replaced by a newer link, expired, or the user is gone
            report.skip(user_id, event.name, "no_pending_verification")
            return None
        content = render_verification(mail.username, mail.link, mail.valid_hours)
        email = OutgoingEmail(
            to=mail.address,
            subject=content.subject,
            text=content.text,
            html=content.html,
            headers={"X-Reserver-Event-Id": event.event_id},
        )
        return f"{event.event_id}#{user_id}", email

    def compose(
        self, event: DomainEvent, contact: Contact, directory: Directory | None = None
    ) -> OutgoingEmail | None:
        data = event.data
        resource_id = str(data.get("resource_id") or "")
        names = directory or self._directory
        what = (names.resource_name(resource_id) if resource_id else None) or (
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
        if event.name == ev.RESERVATION_CREATED and data.get("status") == "held":
            return None  # a waitlist offer's hold: the `waitlist.offered` email says it
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
        if data.get("entry_id"):  # waitlist: the entry's page, with Accept / Decline
            return f"{base}/#/waitlist/{data['entry_id']}"
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


def _owners_to_mail(event: DomainEvent) -> list[str]:
    """The recipients known from the event alone (approvers are looked up per step)."""
    return [] if event.name in APPROVER_EVENTS else _email_recipients(event)


def _email_recipients(event: DomainEvent) -> list[str]:
    """Approval requests go to the approvers; everything else to the affected user."""
    if event.name == ev.APPROVAL_REQUESTED:
        return [str(u) for u in event.data.get("approver_ids") or []]
    return recipients(event)
