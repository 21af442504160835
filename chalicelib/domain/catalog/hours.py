"""Business hours and blackout dates of resources: parsing and validation (pure).

Weekly hours are local wall-clock times in the resource's zone. The booking rules read
`closes == 00:00` as 24:00 (the end of the day); "24:00" is accepted on input and shown on
output, so "00:00"-"24:00" is open all day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, DayHours
from chalicelib.domain.catalog.rules import REASON_MAX, Problem, invalid

BLACKOUT_SPAN_MAX = timedelta(days=366)

# --- business hours -------------------------------------------------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = time(0)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _parse_hhmm(text: str, *, closing: bool) -> time | None:
    if closing and text in {"24:00", "00:00"}:
        return END_OF_DAY
    match = _HHMM.match(text)
    return time(int(match.group(1)), int(match.group(2))) if match else None


def format_hhmm(value: time, *, closing: bool = False) -> str:
    return "24:00" if closing and value == END_OF_DAY else value.strftime("%H:%M")


def _day_problem(opens: time | None, closes: time | None) -> str | None:
    if opens is None or closes is None:
        return "opens and closes must be HH:MM (closes may be 24:00)"
    if closes != END_OF_DAY and not opens < closes:
        return "opens must be before closes"
    return None


def parse_week(days: Mapping[str, Mapping[str, str] | None]) -> BusinessHours:
    """{"mon": {"opens": "08:00", "closes": "18:00"}, ...}: a missing or null day is closed."""
    problems: list[Problem] = []
    parsed: dict[int, DayHours] = {}
    for key, value in days.items():
        name = key.strip().lower()
        if name not in WEEKDAYS:
            problems.append(Problem(f"days.{key}", "weekday must be one of " + ", ".join(WEEKDAYS)))
            continue
        if value is None:
            continue
        opens = _parse_hhmm(str(value.get("opens", "")), closing=False)
        closes = _parse_hhmm(str(value.get("closes", "")), closing=True)
        problem = _day_problem(opens, closes)
        if problem or opens is None or closes is None:
            problems.append(Problem(f"days.{name}", problem or "invalid"))
        else:
            parsed[WEEKDAYS.index(name)] = DayHours(opens=opens, closes=closes)
    if problems:
        raise invalid("invalid_business_hours", "the business hours are not valid", problems)
    return BusinessHours(days=parsed)


def render_week(hours: BusinessHours) -> dict[str, dict[str, str] | None]:
    return {
        name: (
            {"opens": format_hhmm(h.opens), "closes": format_hhmm(h.closes, closing=True)}
            if (h := hours.days.get(i)) is not None
            else None
        )
        for i, name in enumerate(WEEKDAYS)
    }


# --- blackouts ------------------------------------------------------------------------------


def new_blackout(
    blackout_id: str, start: date, end: date, reason: str, resource_id: str | None
) -> Blackout:
    problems: list[Problem] = []
    if end < start:
        problems.append(Problem("end_date", "end_date must not be before start_date"))
    elif end - start >= BLACKOUT_SPAN_MAX:
        problems.append(Problem("end_date", "a blackout may span at most 366 days"))
    if len(reason.strip()) > REASON_MAX:
        problems.append(Problem("reason", f"must be at most {REASON_MAX} characters"))
    if problems:
        raise invalid("invalid_blackout", "the blackout is not valid", problems)
    return Blackout(blackout_id, start, end, reason.strip(), resource_id)


def date_window(start: date, end: date, *, max_days: int = 731) -> tuple[date, date]:
    if end < start:
        raise invalid("invalid_range", "'to' must not be before 'from'", [Problem("to", "< from")])
    if (end - start).days > max_days:
        raise invalid(
            "invalid_range",
            f"the date range may span at most {max_days} days",
            [Problem("to", f"at most {max_days} days after 'from'")],
        )
    return start, end


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()
