"""Datetimes for people: what they type in, what they read back.

The API refuses naive datetimes (the old CLI sent local wall-clock times without an offset and
the server guessed). Here a value without an offset is interpreted EXPLICITLY in the user's
zone (`--tz`, default the machine's zone) and sent with its UTC offset; the API answers in UTC
`Z` and we render that back in the same zone, naming it.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIME_HELP = (
    "ISO 8601 such as 2026-11-24T09:00+01:00 or 2026-11-24T08:00Z; without an offset "
    "(2026-11-24 09:00, 'today 14:00', 'tomorrow 9:30', 'now') the time is read in your "
    "zone (--tz) and sent with that offset, never naive."
)

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_RELATIVE = re.compile(r"^(today|tomorrow|yesterday)(?:[ T]+(\d{1,2}:\d{2}(?::\d{2})?))?$")
_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1}


class TimeInputError(ValueError):
    """The user typed a time or a zone we cannot read; the message says what to type."""


def machine_zone_name() -> str:
    """The machine's IANA zone name (TZ, then /etc/localtime), or 'UTC' if unknown."""
    candidate = os.environ.get("TZ", "").lstrip(":")
    if candidate and _is_zone(candidate):
        return candidate
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        target = ""
    marker = "zoneinfo/"
    if marker in target:
        name = target.split(marker, 1)[1]
        if _is_zone(name):
            return name
    return "UTC"


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def resolve_zone(name: str | None) -> ZoneInfo:
    """The zone named by --tz (or the machine's); an unknown name is a clear error."""
    chosen = name or machine_zone_name()
    try:
        return ZoneInfo(chosen)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeInputError(
            f"unknown time zone {chosen!r}: use an IANA name such as Europe/Paris or UTC"
        ) from exc


def attach_zone(naive: datetime, zone: ZoneInfo) -> datetime:
    """Give a wall-clock time its zone, refusing times DST makes missing or ambiguous."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either a gap (the clock jumps over it) or an overlap (it happens twice).
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise TimeInputError(
                f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key} (daylight saving gap)"
            )
        raise TimeInputError(
            f"{naive:%Y-%m-%d %H:%M} happens twice in {zone.key} (daylight saving); "
            "add an explicit offset such as +01:00"
        )
    return first


def parse_datetime(value: str, zone: ZoneInfo, *, now: datetime | None = None) -> datetime:
    """Parse what a person typed into an aware datetime (never naive)."""
    text = value.strip()
    current = now or datetime.now(UTC)
    lowered = text.lower()
    if lowered == "now":
        return current.astimezone(zone)
    relative = _RELATIVE.match(lowered)
    if relative:
        day = current.astimezone(zone).date() + timedelta(days=_RELATIVE_DAYS[relative[1]])
        clock = time.fromisoformat(relative[2]) if relative[2] else time(0, 0)
        return attach_zone(datetime.combine(day, clock), zone)
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError as exc:
        raise TimeInputError(f"cannot read {value!r} as a date and time. {TIME_HELP}") from exc
    if parsed.tzinfo is None:
        return attach_zone(parsed, zone)
    return parsed


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise TimeInputError(f"cannot read {value!r} as a date: use YYYY-MM-DD") from exc


def parse_duration(value: str) -> timedelta:
    """'1h', '90m', '1h30m', '2d', '45' (minutes) -> timedelta; zero or negative is refused."""
    text = value.strip().replace(" ", "")
    if text.isdigit():
        total = float(text) * 60
    else:
        parts = _DURATION.findall(text)
        if not parts or "".join(n + u for n, u in parts).lower() != text.lower():
            raise TimeInputError(
                f"cannot read {value!r} as a duration: use e.g. 30m, 1h, 1h30m, 2d"
            )
        total = sum(float(number) * _UNIT_SECONDS[unit.lower()] for number, unit in parts)
    if total <= 0:
        raise TimeInputError("a duration must be longer than zero")
    return timedelta(seconds=total)


def to_api(moment: datetime) -> str:
    """ISO 8601 with its offset, as the API requires."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimeInputError("refusing to send a naive datetime")
    return moment.isoformat()


def parse_api_instant(value: str) -> datetime | None:
    """The API's `...Z` strings -> aware datetime; None if it is not a datetime at all."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def format_local(value: str | None, zone: tzinfo) -> str:
    """Render an API timestamp in the user's zone; anything unparseable is shown as is."""
    if not value:
        return ""
    parsed = parse_api_instant(value)
    if parsed is None:
        return value
    local = parsed.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M") + (f":{local:%S}" if local.second else "")


def format_duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts) or "0m"
