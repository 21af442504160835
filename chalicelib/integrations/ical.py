"""iCalendar (RFC 5545) attachments for reservation emails, built with `icalendar`.

A confirmation or a move carries `METHOD:REQUEST`, a cancellation `METHOD:CANCEL`, all with
the same UID per reservation, so calendar apps update or remove the one entry they created.
SEQUENCE must grow with each change; the event's time (epoch seconds) does that without a
counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from icalendar import Calendar, Event

PRODID = "-//Resource Reserver//EN"
UID_DOMAIN = "resource-reserver"


@dataclass(frozen=True)
class CalendarEntry:
    reservation_id: str
    summary: str
    start: datetime
    end: datetime
    stamped_at: datetime
    description: str = ""
    location: str = ""
    organizer_email: str = ""


def reservation_uid(reservation_id: str) -> str:
    return f"{reservation_id}@{UID_DOMAIN}"


def build_ics(entry: CalendarEntry, method: Literal["REQUEST", "CANCEL"] = "REQUEST") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", reservation_uid(entry.reservation_id))
    event.add("dtstamp", entry.stamped_at)
    event.add("dtstart", entry.start)
    event.add("dtend", entry.end)
    event.add("summary", entry.summary)
    event.add("sequence", int(entry.stamped_at.timestamp()))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.organizer_email:
        event.add("organizer", f"mailto:{entry.organizer_email}")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
