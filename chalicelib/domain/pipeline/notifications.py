"""In-app notifications: who is told about an event, and what they read (pure).

The affected user is the reservation's OWNER (`data.user_id`), never the actor: when an
admin cancels someone's booking, the owner is notified, and the text says an administrator
did it (the old product notified the admin instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.events import DomainEvent, derived_ulid
from chalicelib.domain.timeutil import parse_instant


@dataclass(frozen=True)
class Contact:
    """What the pipeline needs to know about a user to notify them."""

    user_id: str
    username: str
    email: str | None = None
    email_notifications: bool = True
    reminder_hours: int = 24
    timezone: str = "UTC"
    is_admin: bool = False
    email_verified: bool = False  # nothing but the verification link goes to an unverified one

    @property
    def wants_email(self) -> bool:
        return bool(self.email) and self.email_notifications


@dataclass
class DirectoryEntries:
    """Many users and resource names looked up at once (None: unknown, or a disabled user)."""

    contacts: dict[str, Contact | None] = field(default_factory=dict)
    names: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    notification_id: str
    user_id: str
    kind: str  # the event name
    title: str
    body: str
    created_at: datetime
    data: dict[str, str] = field(default_factory=dict)
    read_at: datetime | None = None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def recipients(event: DomainEvent) -> list[str]:
    """The users an event concerns: the owner of the reservation or series."""
    owner = event.data.get("user_id")
    return [str(owner)] if owner else []


def covered_by_series(event: DomainEvent, series_status: str | None) -> bool:
    """Occurrences of a series are announced once, by the series' own events: their own
    `created` never, their `cancelled` only while the series itself is still active (one
    occurrence cancelled), not when the whole series is cancelled or rolled back."""
    if not event.data.get("series_id"):
        return False
    if event.name == ev.RESERVATION_CREATED:
        return True
    if event.name == ev.RESERVATION_CANCELLED:
        return series_status != "active"
    return False


def notification_id_for(event_id: str, user_id: str, at: datetime, sequence: str = "") -> str:
    """Time-ordered and derived from (event, user): a redelivery writes the same id."""
    return derived_ulid(f"notification/{event_id}/{user_id}", at, sequence)


def local_window(data: dict[str, Any], timezone: str) -> str:
    """'Wed 25 Nov 2026, 09:00-10:00 (Europe/Paris)' in the reader's zone."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone = ZoneInfo("UTC"), "UTC"
    start_raw, end_raw = data.get("start_time"), data.get("end_time")
    if not start_raw or not end_raw:
        return ""
    start = parse_instant(str(start_raw)).astimezone(zone)
    end = parse_instant(str(end_raw)).astimezone(zone)
    end_text = (
        end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%a %d %b %H:%M")
    )
    return f"{start.strftime('%a %d %b %Y, %H:%M')}-{end_text} ({timezone})"


def _by_someone_else(event: DomainEvent, user_id: str) -> bool:
    actor = str(event.data.get("actor_id") or "")
    return actor not in {"", user_id, "unknown"}


def _texts(event: DomainEvent, user_id: str, what: str, when: str) -> tuple[str, str] | None:
    name, data = event.name, event.data
    if name.startswith("waitlist."):
        return _waitlist_texts(name, data, what, when)
    if name == ev.RESERVATION_CREATED:
        if data.get("status") == "held":
            return None  # a waitlist offer's hold: `waitlist.offered` tells the user
        if data.get("status") == "pending_approval":
            return "Reservation awaiting approval", f"{what} on {when} is waiting for approval."
        return "Reservation confirmed", f"{what} is booked for {when}."
    if name == ev.RESERVATION_RESCHEDULED:
        return "Reservation moved", f"{what} now takes place {when}."
    if name == ev.RESERVATION_CANCELLED:
        by = " by an administrator" if _by_someone_else(event, user_id) else ""
        reason = str(data.get("cancel_reason") or "")
        tail = f" Reason: {reason}" if reason else ""
        return "Reservation cancelled", f"{what} on {when} was cancelled{by}.{tail}"
    if name == ev.RESERVATION_NO_SHOW:
        return "Reservation released", f"{what} on {when} was released: nobody checked in."
    if name == ev.RESERVATION_REMINDER_DUE:
        return "Upcoming reservation", f"Reminder: {what} starts {when}."
    texts = _approval_texts(name, data, what, when)
    if texts is not None:
        return texts
    if name == ev.SERIES_CREATED:
        return "Recurring reservation created", f"Your recurring booking of {what} is set up."
    if name == ev.SERIES_CANCELLED:
        by = " by an administrator" if _by_someone_else(event, user_id) else ""
        return (
            "Recurring reservation cancelled",
            f"Your recurring booking of {what} was cancelled{by}.",
        )
    return None


def _waitlist_texts(
    name: str, data: dict[str, Any], what: str, when: str
) -> tuple[str, str] | None:
    """Waitlist events (domain/pipeline/mappings.py `waitlist_events`)."""
    deadline = str(data.get("offer_expires_at") or "")
    if name == ev.WAITLIST_OFFERED:
        return (
            "A slot is free for you",
            f"{what} is free {when} and held for you until {deadline}. Accept or decline it.",
        )
    if name == ev.WAITLIST_OFFER_EXPIRED:
        return "Waitlist offer expired", f"Your offer for {what} {when} expired."
    if name == ev.WAITLIST_ACCEPTED:
        return "Booked from the waitlist", f"{what} is yours {when}."
    if name == ev.WAITLIST_SKIPPED:
        reason = str(data.get("reason") or "a booking rule refused it")
        return "Waitlist: slot passed over", f"A freed slot of {what} was not offered: {reason}"
    return None


def _approval_texts(
    name: str, data: dict[str, Any], what: str, when: str
) -> tuple[str, str] | None:
    """Approvals (issue 10): the requester hears how her request ended."""
    reason = str(data.get("closed_reason") or "")
    tail = f" Reason: {reason}" if reason else ""
    if name == ev.APPROVAL_APPROVED:
        return "Reservation approved", f"{what} on {when} was approved.{tail}"
    if name == ev.APPROVAL_REJECTED:
        return "Reservation not approved", f"{what} on {when} was not approved.{tail}"
    if name == ev.APPROVAL_EXPIRED:
        return "Request expired", f"Your request for {what} on {when} expired undecided."
    return None


def compose(
    event: DomainEvent, contact: Contact, *, resource_name: str | None
) -> Notification | None:
    """The notification `contact` reads about `event`, or None if the event is not for them."""
    what = resource_name or str(event.data.get("resource_id") or "your resource")
    when = local_window(event.data, contact.timezone)
    texts = _texts(event, contact.user_id, what, when)
    if texts is None:
        return None
    title, body = texts
    links = {
        k: str(event.data[k])
        for k in ("reservation_id", "resource_id", "series_id", "entry_id")
        if event.data.get(k)
    }
    return Notification(
        notification_id=notification_id_for(
            event.event_id, contact.user_id, event.metadata.occurred_at, event.metadata.sequence
        ),
        user_id=contact.user_id,
        kind=event.name,
        title=title,
        body=body,
        created_at=event.metadata.occurred_at,
        data={**links, "event_id": event.event_id},
    )
