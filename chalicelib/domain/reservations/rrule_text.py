"""What an RRULE may say: parsing, and the refusals that keep dateutil fast and correct.

Only RFC 5545 parts that make sense for a booking (DAILY or longer; the time of day comes from
the start) are taken. Rules that dateutil would search for until the year 9999 (a BYMONTHDAY no
month has, a BYSETPOS larger than the period) or that crash it (BYDAY=53MO within a month: an
IndexError) are refused here with a 422, before any expansion (issue 9, finding 4).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import InvalidInput

MAX_RULE_LENGTH = 500
SUPPORTED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_SUB_DAILY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
_TIME_PARTS = frozenset({"BYHOUR", "BYMINUTE", "BYSECOND"})
# RFC 5545 section 3.3.10, the table of BYxxx parts: "N/A" for these frequencies.
_NOT_APPLICABLE = {
    "DAILY": frozenset({"BYYEARDAY", "BYWEEKNO"}),
    "WEEKLY": frozenset({"BYYEARDAY", "BYWEEKNO", "BYMONTHDAY"}),
    "MONTHLY": frozenset({"BYYEARDAY", "BYWEEKNO"}),
    "YEARLY": frozenset(),
}
_RFC_PARTS = frozenset(
    {"FREQ", "UNTIL", "COUNT", "INTERVAL", "WKST", "BYSETPOS", "BYDAY", "BYMONTH"}
    | {"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"}
    | _TIME_PARTS
)
END_OF_DAY = time(23, 59, 59, 999999)


def invalid_rrule(reason: str) -> InvalidInput:
    return InvalidInput(
        f"The recurrence rule is not valid: {reason}",
        code="invalid_rrule",
        details={"reason": reason},
    )


def require_aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{field} must include a UTC offset such as Z or +02:00",
            code="naive_datetime",
            details={"field": field},
        )
    return value


def split_rule(text: str) -> dict[str, str]:
    """'RRULE:FREQ=WEEKLY;COUNT=3' -> {'FREQ': 'WEEKLY', 'COUNT': '3'}; shape errors only."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body:
        raise invalid_rrule("the rule is empty")
    if any(ch in body for ch in ":\r\n"):
        raise invalid_rrule("give one RRULE value; DTSTART comes from the start time")
    parts: dict[str, str] = {}
    for item in body.strip(";").split(";"):
        name, sep, value = item.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip():
            raise invalid_rrule(f"'{item}' is not NAME=VALUE")
        if name in parts:
            raise invalid_rrule(f"{name} is given twice")
        parts[name] = value.strip().upper()
    return parts


def check_parts(parts: Mapping[str, str]) -> str:
    freq = parts.get("FREQ")
    if freq is None:
        raise invalid_rrule("FREQ is required")
    if freq in _SUB_DAILY:
        raise InvalidInput(
            f"FREQ={freq} is not supported; the shortest frequency is DAILY",
            code="unsupported_frequency",
            details={"frequency": freq, "allowed": list(SUPPORTED_FREQUENCIES)},
        )
    if freq not in SUPPORTED_FREQUENCIES:
        raise invalid_rrule(f"invalid 'FREQ': {freq}")
    unknown = sorted(set(parts) - _RFC_PARTS)
    if unknown:
        raise invalid_rrule(f"unknown parameter '{unknown[0]}'")
    refused = sorted(set(parts) & (_TIME_PARTS | _NOT_APPLICABLE[freq]))
    if refused:
        raise invalid_rrule(f"{refused[0]} is not supported with FREQ={freq}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise invalid_rrule("COUNT and UNTIL cannot be used together")
    _check_numbers(parts)
    _check_monthdays_exist(parts)
    _check_setpos_fits(parts, freq)
    _check_nth_weekdays(parts, freq)
    return freq


def _ints(value: str, name: str) -> list[int]:
    try:
        return [int(v) for v in value.split(",")]
    except ValueError:
        raise invalid_rrule(f"invalid '{name}': {value}") from None


# Allowed magnitudes of numeric parts (RFC 5545 3.3.10); dateutil accepts some nonsense, such as
# INTERVAL=0 (the same occurrence forever) or BYMONTH=13 (never, after a search to year 9999).
_NUMERIC_RANGES = {
    "INTERVAL": (1, 1000, False),
    "COUNT": (1, 10**6, False),
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
}


def _check_numbers(parts: Mapping[str, str]) -> None:
    for name, (low, high, signed) in _NUMERIC_RANGES.items():
        if name not in parts:
            continue
        for value in _ints(parts[name], name):
            if not low <= (abs(value) if signed else value) <= high:
                raise invalid_rrule(f"invalid '{name}': {parts[name]}")


def _check_monthdays_exist(parts: Mapping[str, str]) -> None:
    if "BYMONTHDAY" not in parts:
        return
    days = _ints(parts["BYMONTHDAY"], "BYMONTHDAY")
    months = _ints(parts["BYMONTH"], "BYMONTH") if "BYMONTH" in parts else list(range(1, 13))
    lengths = [calendar.monthrange(2024, m)[1] for m in months if 1 <= m <= 12]  # leap year
    if lengths and not any(1 <= abs(d) <= n for d in days for n in lengths):
        raise invalid_rrule("BYMONTHDAY names a day that none of the months has")


# How many candidate days one period of each frequency holds (the time of day is fixed).
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}


def _check_setpos_fits(parts: Mapping[str, str], freq: str) -> None:
    """BYSETPOS=2 with FREQ=DAILY picks the 2nd of one candidate: it can never match, and
    dateutil would look for it until the year 9999."""
    if "BYSETPOS" not in parts:
        return
    size = _PERIOD_DAYS[freq]
    if all(abs(pos) > size for pos in _ints(parts["BYSETPOS"], "BYSETPOS")):
        raise invalid_rrule(
            f"BYSETPOS={parts['BYSETPOS']} can never match: FREQ={freq} has at most {size} "
            "candidate(s) per period"
        )


# The largest n in BYDAY=nMO per frequency (RFC 5545: only MONTHLY and YEARLY take an n;
# YEARLY with BYMONTH counts within the month).
_MAX_NTH = {"DAILY": 0, "WEEKLY": 0, "MONTHLY": 5, "YEARLY": 53}


def _check_nth_weekdays(parts: Mapping[str, str], freq: str) -> None:
    """BYDAY=53MO within a month crashes dateutil (IndexError: a 500); 6MO never matches."""
    limit = 5 if freq == "YEARLY" and "BYMONTH" in parts else _MAX_NTH[freq]
    for day in parts.get("BYDAY", "").split(","):
        nth = day.strip()[:-2]
        if not nth or nth in {"+", "-"}:
            continue
        try:
            value = int(nth)
        except ValueError:
            raise invalid_rrule(f"invalid 'BYDAY': {parts['BYDAY']}") from None
        if not 1 <= abs(value) <= limit:
            raise invalid_rrule(f"BYDAY={day} is not possible with FREQ={freq}")


def parse_until(value: str, zone: ZoneInfo) -> datetime:
    """An RRULE UNTIL value as naive local wall-clock time (inclusive)."""
    try:
        if len(value) == 8:
            return datetime.combine(datetime.strptime(value, "%Y%m%d").date(), END_OF_DAY)
        if value.endswith("Z"):
            instant = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return instant.astimezone(zone).replace(tzinfo=None)
        return datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError:
        raise invalid_rrule(f"invalid 'UNTIL': {value}") from None


def until_to_local(until: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(until, datetime):
        return require_aware(until, "until").astimezone(zone).replace(tzinfo=None)
    return datetime.combine(until, END_OF_DAY)
