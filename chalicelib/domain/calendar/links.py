""" "Add to Google Calendar" and "Add to Outlook" links for one reservation.

Both services take the event in the URL (no API key, nothing stored on our side): Google's
`render?action=TEMPLATE` and Outlook's compose deep link, for outlook.com and for Microsoft 365.
Times travel in UTC, so no zone table of theirs can shift them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from chalicelib.domain.calendar.feed import FeedEvent

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"
OFFICE365 = "https://outlook.office.com/calendar/0/deeplink/compose"


@dataclass(frozen=True)
class CalendarLinks:
    google: str
    outlook: str
    office365: str


def _basic(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _extended(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def links_for(event: FeedEvent) -> CalendarLinks:
    google = urlencode(
        {
            "action": "TEMPLATE",
            "text": event.summary,
            "dates": f"{_basic(event.start)}/{_basic(event.end)}",
            "details": event.description,
            "location": event.location,
            "ctz": event.timezone,
        }
    )
    outlook = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.summary,
            "startdt": _extended(event.start),
            "enddt": _extended(event.end),
            "body": event.description,
            "location": event.location,
        }
    )
    return CalendarLinks(f"{GOOGLE}?{google}", f"{OUTLOOK}?{outlook}", f"{OFFICE365}?{outlook}")
