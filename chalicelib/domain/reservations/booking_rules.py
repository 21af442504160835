"""The rules a single booking window must satisfy, checked in a fixed order.

Pure functions: the caller passes `now` (from its Clock), the business hours that apply (the
resource's own, else the global default; `None` means always open) and the blackouts (resource and
global; those of other resources are ignored here).

Local time. Business hours and blackout dates are evaluated in the resource's IANA zone:

- A local date's opening interval is [opens, closes) on that date. `closes == 00:00` means 24:00,
  the end of the day (so `00:00-00:00` is open all day). Any other `closes <= opens` is not an
  interval and the day counts as closed (the catalogue refuses such hours).
- A window must lie inside the opening interval of every local date it touches. A window that
  crosses local midnight is therefore allowed only if the first day closes at 24:00 and the next
  day opens at 00:00. A window that ends exactly at midnight does not touch the next day.
- Opening times that do not exist on a spring-forward day are read with `fold=0`, which moves them
  forward by the gap (02:30 in Berlin on the last Sunday of March is 03:30 CEST); ambiguous ones
  on a fall-back day are the first of the two instants. Days are 23 or 25 hours long then.
- A blackout [start_date, end_date] (inclusive, local dates) refuses every window that touches
  one of those dates, even for a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.catalog.resources import (
    MAX_RESERVATION_SPAN,
    Blackout,
    BusinessHours,
    DayHours,
    Resource,
)
from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.denials import combined
from chalicelib.domain.timeutil import iso_z

# Names reported by check_booking for the checks an admin override skipped.
OVERRIDE_BUSINESS_HOURS = "business_hours"
OVERRIDE_BLACKOUTS = "blackouts"

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MICROSECOND = timedelta(microseconds=1)


# ---------------------------------------------------------------- local time helpers


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"'{name}' is not a known IANA time zone",
            code="invalid_timezone",
            details={"timezone": name},
        ) from exc


def resource_zone(resource: Resource) -> ZoneInfo:
    return parse_zone(resource.timezone)


def utc_range(window: TimeRange) -> TimeRange:
    """The same interval with UTC endpoints.

    Python subtracts and compares two datetimes of the same tzinfo by wall clock, which is wrong
    across DST changes; every rule works on UTC endpoints.
    """
    if window.start.tzinfo is UTC and window.end.tzinfo is UTC:
        return window
    return TimeRange(window.start.astimezone(UTC), window.end.astimezone(UTC))


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which `day` starts in `zone` (a skipped midnight moves forward)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_bounds(day: date, zone: ZoneInfo) -> TimeRange:
    """The local date `day` as a UTC range: 23, 24 or 25 hours long."""
    return TimeRange(local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone))


def local_dates(window: TimeRange, zone: ZoneInfo) -> list[date]:
    """Every local date the half-open window touches (an end at midnight touches no new day)."""
    first = window.start.astimezone(zone).date()
    last = (window.end - _MICROSECOND).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def day_hours(hours: BusinessHours | None, day: date) -> DayHours | None:
    """Opening hours of a local date: `None` if closed; all day if `hours` is None."""
    if hours is None:
        return DayHours(opens=time(0), closes=time(0))
    return hours.days.get(day.weekday())


def opening_window(hours: BusinessHours | None, day: date, zone: ZoneInfo) -> TimeRange | None:
    """The UTC range in which `day` is open, or None if it is closed all day."""
    today = day_hours(hours, day)
    if today is None:
        return None
    opens = datetime.combine(day, today.opens, tzinfo=zone).astimezone(UTC)
    if today.closes == time(0):
        closes = local_midnight(day + timedelta(days=1), zone)
    else:
        closes = datetime.combine(day, today.closes, tzinfo=zone).astimezone(UTC)
    if closes <= opens:
        return None
    return TimeRange(opens, closes)


def applicable_blackouts(resource: Resource, blackouts: Sequence[Blackout]) -> list[Blackout]:
    """Global blackouts and this resource's own, earliest first."""
    mine = [b for b in blackouts if b.resource_id in (None, resource.resource_id)]
    return sorted(mine, key=lambda b: (b.start_date, b.end_date, b.blackout_id))


def human_duration(span: timedelta) -> str:
    """'30 minutes', '1 hour 30 minutes', '365 days': for messages, not for parsing."""
    total_minutes = int(span.total_seconds() // 60)
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{value} {unit}{'' if value == 1 else 's'}"
        for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if value
    ]
    if not parts:
        seconds = int(span.total_seconds())
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    return " ".join(parts)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def hours_details(hours: BusinessHours | None, day: date, zone: ZoneInfo) -> dict[str, Any]:
    today = day_hours(hours, day)
    return {
        "date": day.isoformat(),
        "weekday": WEEKDAYS[day.weekday()],
        "timezone": zone.key,
        "opens": _hhmm(today.opens) if today else None,
        "closes": ("24:00" if today.closes == time(0) else _hhmm(today.closes)) if today else None,
    }


# ---------------------------------------------------------------- input shape


def validate_window_input(start: datetime, end: datetime) -> TimeRange:
    """Shape checks before any rule: both instants carry an offset, and end is after start."""
    for field, value in (("start_time", start), ("end_time", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput(
                f"{field} must include a UTC offset such as Z or +02:00",
                code="naive_datetime",
                details={"field": field},
            )
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    if end_utc <= start_utc:
        raise InvalidInput(
            "end_time must be after start_time",
            code="empty_range",
            details={"start_time": iso_z(start_utc), "end_time": iso_z(end_utc)},
        )
    return TimeRange(start_utc, end_utc)


# ---------------------------------------------------------------- the rules


def check_booking(
    resource: Resource,
    window: TimeRange,
    *,
    now: datetime,
    hours: BusinessHours | None,
    blackouts: Sequence[Blackout],
    override: bool = False,
) -> list[str]:
    """Raise ONE RuleViolation naming every rule the window breaks (issue 13: explained
    denials; see `denials.combined`); else return what was overridden.

    Order of the list (and the code of the error: the first one's): resource_disabled,
    resource_in_maintenance, start_in_past (else insufficient_notice), beyond_horizon,
    duration_too_short / duration_too_long, outside_business_hours, blackout_date.
    `override=True` (admins only; the caller checks the role) skips the last two and reports the
    ones that would have fired (`OVERRIDE_BUSINESS_HOURS`, `OVERRIDE_BLACKOUTS`), so the service
    can record the override; an empty list means nothing was bypassed.
    """
    found, overridden = booking_violations(
        resource, window, now=now, hours=hours, blackouts=blackouts, override=override
    )
    if found:
        raise combined(found)
    return overridden


def booking_violations(
    resource: Resource,
    window: TimeRange,
    *,
    now: datetime,
    hours: BusinessHours | None,
    blackouts: Sequence[Blackout],
    override: bool = False,
) -> tuple[list[RuleViolation], list[str]]:
    """Every rule the window breaks (in check_booking's order) and what `override` skipped."""
    window = utc_range(window)
    found: list[RuleViolation] = []
    _collect(found, lambda: _check_resource_state(resource))
    _collect(found, lambda: _check_maintenance(resource, window))
    _collect(found, lambda: _check_start(resource, window, now))
    _collect(found, lambda: _check_horizon(resource, window, now))
    _collect(found, lambda: check_duration(resource, window))
    zone = resource_zone(resource)
    overridden: list[str] = []
    overridable = (
        (OVERRIDE_BUSINESS_HOURS, business_hours_violation(resource, window, hours, zone)),
        (OVERRIDE_BLACKOUTS, blackout_violation(resource, window, blackouts, zone)),
    )
    for name, violation in overridable:
        if violation is None:
            continue
        if not override:
            found.append(violation)
        else:
            overridden.append(name)
    return found, overridden


def _collect(found: list[RuleViolation], check: Callable[[], None]) -> None:
    try:
        check()
    except RuleViolation as violation:
        found.append(violation)


def _check_resource_state(resource: Resource) -> None:
    if not resource.enabled:
        raise RuleViolation(
            f"{resource.name} is disabled and cannot be booked",
            code="resource_disabled",
            details={"resource_id": resource.resource_id},
        )


def _check_maintenance(resource: Resource, window: TimeRange) -> None:
    maintenance = resource.maintenance
    if maintenance is None:
        return
    until = maintenance.auto_reset_at
    if window.end > maintenance.started_at and (until is None or window.start < until):
        when = f"until {iso_z(until)}" if until else "until further notice"
        raise RuleViolation(
            f"{resource.name} is under maintenance {when}: {maintenance.reason}",
            code="resource_in_maintenance",
            details={
                "reason": maintenance.reason,
                "started_at": iso_z(maintenance.started_at),
                "until": iso_z(until) if until else None,
            },
        )


def _check_start(resource: Resource, window: TimeRange, now: datetime) -> None:
    policy = resource.policy
    if window.start < now:
        raise RuleViolation(
            "A booking cannot start in the past",
            code="start_in_past",
            details={"start_time": iso_z(window.start), "now": iso_z(now)},
        )
    earliest = now + policy.min_notice
    if window.start < earliest:
        raise RuleViolation(
            f"Bookings for {resource.name} must start at least "
            f"{human_duration(policy.min_notice)} ahead",
            code="insufficient_notice",
            details={
                "min_notice_seconds": int(policy.min_notice.total_seconds()),
                "earliest_start": iso_z(earliest),
            },
        )


def _check_horizon(resource: Resource, window: TimeRange, now: datetime) -> None:
    policy = resource.policy
    latest = now + policy.horizon
    if window.start > latest:
        raise RuleViolation(
            f"Bookings for {resource.name} may start at most "
            f"{human_duration(policy.horizon)} ahead",
            code="beyond_horizon",
            details={
                "horizon_seconds": int(policy.horizon.total_seconds()),
                "latest_start": iso_z(latest),
            },
        )


def effective_max_duration(resource: Resource) -> timedelta:
    """The policy's maximum, never above MAX_RESERVATION_SPAN (the store's query relies on it)."""
    return min(resource.policy.max_duration, MAX_RESERVATION_SPAN)


def check_duration(resource: Resource, window: TimeRange) -> None:
    policy = resource.policy
    duration_seconds = int(window.duration.total_seconds())
    if window.duration < policy.min_duration:
        raise RuleViolation(
            f"Bookings for {resource.name} must last at least "
            f"{human_duration(policy.min_duration)}",
            code="duration_too_short",
            details={
                "min_duration_seconds": int(policy.min_duration.total_seconds()),
                "duration_seconds": duration_seconds,
            },
        )
    longest = effective_max_duration(resource)
    if window.duration > longest:
        raise RuleViolation(
            f"Bookings for {resource.name} may last at most {human_duration(longest)}",
            code="duration_too_long",
            details={
                "max_duration_seconds": int(longest.total_seconds()),
                "duration_seconds": duration_seconds,
            },
        )


def business_hours_violation(
    resource: Resource, window: TimeRange, hours: BusinessHours | None, zone: ZoneInfo
) -> RuleViolation | None:
    if hours is None:
        return None
    for day in local_dates(window, zone):
        bounds = day_bounds(day, zone)
        part_start, part_end = max(window.start, bounds.start), min(window.end, bounds.end)
        opening = opening_window(hours, day, zone)
        if opening is not None and opening.start <= part_start and part_end <= opening.end:
            continue
        details = hours_details(hours, day, zone)
        label = f"{details['weekday']} {day.isoformat()} ({zone.key})"
        if opening is None:
            message = f"{resource.name} is closed on {label}"
        else:
            message = (
                f"{resource.name} is open {details['opens']}-{details['closes']} on {label}; "
                "the booking must lie within those hours"
            )
        return RuleViolation(message, code="outside_business_hours", details=details)
    return None


def blackout_violation(
    resource: Resource, window: TimeRange, blackouts: Sequence[Blackout], zone: ZoneInfo
) -> RuleViolation | None:
    mine = applicable_blackouts(resource, blackouts)
    for day in local_dates(window, zone):
        for blackout in mine:
            if blackout.start_date <= day <= blackout.end_date:
                return _blackout_violation(resource, blackout, day)
    return None


def _blackout_violation(resource: Resource, blackout: Blackout, day: date) -> RuleViolation:
    if blackout.start_date == blackout.end_date:
        dates = f"on {blackout.start_date.isoformat()}"
    else:
        dates = f"from {blackout.start_date.isoformat()} to {blackout.end_date.isoformat()}"
    return RuleViolation(
        f"{resource.name} cannot be booked {dates}: {blackout.reason}",
        code="blackout_date",
        details={
            "blackout_id": blackout.blackout_id,
            "reason": blackout.reason,
            "start_date": blackout.start_date.isoformat(),
            "end_date": blackout.end_date.isoformat(),
            "date": day.isoformat(),
            "scope": "global" if blackout.resource_id is None else "resource",
        },
    )
