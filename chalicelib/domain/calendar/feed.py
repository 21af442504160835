"""What a calendar feed shows: which reservations, with which RFC 5545 status and revision.

A subscribed calendar only learns about a change by polling the feed, so an event that leaves
the feed silently may stay in some apps forever (the old product's bug). A reservation that is
no longer happening (cancelled, rejected, released as a no-show, or expired before it ended)
therefore stays in the feed as `STATUS:CANCELLED` for a retention period after its last change,
and only then drops out.

Series are expanded: every occurrence is its own reservation here (own id, status, check-in,
move), so it is its own VEVENT with its own stable UID and SEQUENCE (docs/calendar.md says why).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reservations import Reservation, ReservationStatus

UID_DOMAIN = "resource-reserver"  # the same UIDs as the email attachments (integrations/ical)
DEFAULT_PAST_DAYS = 30
DEFAULT_FUTURE_DAYS = 180
MAX_PAST_DAYS = 366
MAX_FUTURE_DAYS = 366

S = ReservationStatus
_TENTATIVE = frozenset({S.PENDING_APPROVAL, S.HELD})
_REMOVED = frozenset({S.CANCELLED, S.REJECTED, S.NO_SHOW})


class EventStatus(StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class FeedWindow:
    """The instants a feed covers: reservations overlapping [start, end)."""

    start: datetime
    end: datetime

    @classmethod
    def around(cls, now: datetime, past_days: int, future_days: int) -> FeedWindow:
        if not 0 <= past_days <= MAX_PAST_DAYS:
            raise InvalidInput(f"past_days must be between 0 and {MAX_PAST_DAYS}")
        if not 1 <= future_days <= MAX_FUTURE_DAYS:
            raise InvalidInput(f"future_days must be between 1 and {MAX_FUTURE_DAYS}")
        return cls(now - timedelta(days=past_days), now + timedelta(days=future_days))


@dataclass(frozen=True)
class FeedEntry:
    """A reservation as stored, with the instant of its last change (LAST-MODIFIED)."""

    reservation: Reservation
    updated_at: datetime


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT, ready to render (times in UTC; `timezone` is the zone to show them in)."""

    uid: str
    start: datetime
    end: datetime
    timezone: str
    summary: str
    status: EventStatus
    sequence: int
    modified: datetime
    description: str = ""
    location: str = ""


@dataclass(frozen=True)
class RenderedFeed:
    """An iCalendar body and its ETag (a strong validator: a hash of the body)."""

    body: bytes
    etag: str


def reservation_uid(reservation_id: str) -> str:
    return f"{reservation_id}@{UID_DOMAIN}"


def busy_uid(reservation_id: str) -> str:
    """A busy block's UID: stable per reservation, but it does not disclose the id."""
    digest = hashlib.sha256(f"busy:{reservation_id}".encode()).hexdigest()[:32]
    return f"busy-{digest}@{UID_DOMAIN}"


def event_status(entry: FeedEntry) -> EventStatus:
    r = entry.reservation
    if r.status in _TENTATIVE:
        return EventStatus.TENTATIVE
    if r.status in _REMOVED:
        return EventStatus.CANCELLED
    if r.status == S.EXPIRED and entry.updated_at < r.window.end:
        return EventStatus.CANCELLED  # an offer or approval that ran out: it never happened
    return EventStatus.CONFIRMED  # active, checked in, completed, or ended unattended


def shown(entry: FeedEntry, now: datetime, retention: timedelta) -> bool:
    """Whether the feed still carries the entry: removed ones only for `retention` after
    their last change (long enough for every subscriber to have polled once)."""
    if event_status(entry) is not EventStatus.CANCELLED:
        return True
    return entry.updated_at >= now - retention


@dataclass(frozen=True)
class Place:
    """What a feed says about the reserved resource."""

    name: str
    timezone: str
    location: str = ""


def reservation_event(entry: FeedEntry, place: Place) -> FeedEvent:
    """The owner's (or an admin's) view: the resource, the notes, the status."""
    r = entry.reservation
    lines = [f"Reservation {r.reservation_id} ({r.status.value})"]
    if r.series_id:
        lines.append(f"Part of series {r.series_id}")
    if r.notes:
        lines.append(r.notes)
    return FeedEvent(
        uid=reservation_uid(r.reservation_id),
        start=r.window.start,
        end=r.window.end,
        timezone=place.timezone,
        summary=place.name,
        status=event_status(entry),
        sequence=r.version,
        modified=entry.updated_at,
        description="\n".join(lines),
        location=place.location,
    )


def busy_event(entry: FeedEntry, place: Place) -> FeedEvent:
    """What anyone else sees: the resource is busy, nothing about who or why."""
    r = entry.reservation
    return FeedEvent(
        uid=busy_uid(r.reservation_id),
        start=r.window.start,
        end=r.window.end,
        timezone=place.timezone,
        summary=f"Busy: {place.name}",
        status=event_status(entry),
        sequence=r.version,
        modified=entry.updated_at,
        location=place.location,
    )
