"""Render calendar feeds (RFC 5545 + RFC 7986) with `icalendar`.

A feed has no METHOD: it is a view of our calendar store, so each event's DTSTAMP is the time
its information was last revised (RFC 5545 3.8.7.2), equal to LAST-MODIFIED. Nothing in the
body depends on the time of the request, which makes the body, and so its ETag, stable until
something in the feed changes. Times are written in the resource's zone with a VTIMEZONE for
each zone used, so a weekly 09:00 booking reads 09:00 on both sides of a DST change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vDuration

from chalicelib.domain.calendar.feed import FeedEvent, RenderedFeed

PRODID = "-//Resource Reserver//Calendar feed//EN"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _event(item: FeedEvent) -> Event:
    zone = _zone(item.timezone)
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.modified.astimezone(UTC))
    event.add("last-modified", item.modified.astimezone(UTC))
    event.add("sequence", item.sequence)
    event.add("dtstart", item.start.astimezone(zone))
    event.add("dtend", item.end.astimezone(zone))
    event.add("summary", item.summary)
    event.add("status", item.status.value)
    event.add("transp", "TRANSPARENT" if item.status.value == "CANCELLED" else "OPAQUE")
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    return event


def render(events: Sequence[FeedEvent], *, name: str, refresh: timedelta) -> RenderedFeed:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    for item in sorted(events, key=lambda e: (e.start, e.uid)):
        calendar.add_component(_event(item))
    if events:
        # Only the transitions near the events: a VTIMEZONE back to 1970 is most of the body.
        first = min(e.start for e in events).date() - timedelta(days=366)
        last = max(e.end for e in events).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    body = bytes(calendar.to_ical())
    return RenderedFeed(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
