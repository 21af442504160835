"""Checks shared by the calendar feed tests (integration and e2e): every feed is parsed by
`icalendar`, expanded by `recurring-ical-events`, and checked line by line against RFC 5545's
framing rules by a few lines of our own that share no code with either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import recurring_ical_events
from icalendar import Calendar

REQUIRED_IN_EVENT = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "LAST-MODIFIED")
FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Ev:
    uid: str
    start: datetime  # UTC
    end: datetime
    status: str
    sequence: int
    summary: str
    description: str
    tzid: str | None
    local_hour: int


def check_framing(body: str) -> dict[str, list[str]]:
    """RFC 5545 3.1: CRLF line ends, lines of at most 75 octets, balanced BEGIN/END; returns
    each VEVENT's property names (unfolded), read without any iCalendar library."""
    assert body.endswith("\r\n"), "the last line must end with CRLF"
    raw_lines = body.split("\r\n")[:-1]
    assert all("\n" not in line and "\r" not in line for line in raw_lines), "bare LF or CR"
    assert all(len(line.encode()) <= 75 for line in raw_lines), "a line longer than 75 octets"
    unfolded: list[str] = []
    for line in raw_lines:
        if line.startswith((" ", "\t")):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    stack: list[str] = []
    events: dict[str, list[str]] = {}
    props: list[str] = []
    for line in unfolded:
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        if name == "BEGIN":
            stack.append(line.split(":", 1)[1])
            props = []
        elif name == "END":
            component = stack.pop()
            assert component == line.split(":", 1)[1], f"END:{component} expected"
            if component == "VEVENT":
                uid = next(p.split(":", 1)[1] for p in props if p.startswith("UID"))
                events[uid] = [p.split(":", 1)[0].split(";", 1)[0] for p in props]
        else:
            props.append(line)
    assert not stack, f"unclosed components: {stack}"
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"
    for uid, names in events.items():
        missing = [n for n in REQUIRED_IN_EVENT if n not in names]
        assert not missing, f"{uid} lacks {missing}"
    return events


def parse_feed(body: str) -> list[Ev]:
    """Every VEVENT, parsed by icalendar; cross-checked with recurring-ical-events' expansion
    and with the framing check above (same UIDs, same instants)."""
    framed = check_framing(body)
    calendar = Calendar.from_ical(body)
    assert calendar.get("VERSION") == "2.0"
    assert calendar.get("PRODID")
    events = [_ev(component) for component in calendar.walk("VEVENT")]
    expanded = recurring_ical_events.of(calendar).between(FAR_PAST, FAR_FUTURE)
    by_lib = sorted((str(e["UID"]), _utc(e["DTSTART"].dt), _utc(e["DTEND"].dt)) for e in expanded)
    ours = sorted((e.uid, e.start, e.end) for e in events)
    assert by_lib == ours, "recurring-ical-events expands the feed differently"
    assert sorted(framed) == sorted(e.uid for e in events)
    tzids = {e.tzid for e in events if e.tzid}
    declared = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert tzids <= declared, f"no VTIMEZONE for {tzids - declared}"
    return events


def calendar_header(body: str, name: str) -> Any:
    return Calendar.from_ical(body).get(name)


def _utc(value: Any) -> datetime:
    assert isinstance(value, datetime) and value.tzinfo is not None, value
    return value.astimezone(UTC)


def _ev(component: Any) -> Ev:
    start = component["DTSTART"]
    return Ev(
        uid=str(component["UID"]),
        start=_utc(start.dt),
        end=_utc(component["DTEND"].dt),
        status=str(component["STATUS"]),
        sequence=int(component["SEQUENCE"]),
        summary=str(component.get("SUMMARY", "")),
        description=str(component.get("DESCRIPTION", "")),
        tzid=start.params.get("TZID"),
        local_hour=start.dt.hour,
    )


def path_of(url: str) -> str:
    parsed = urlparse(url)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")
