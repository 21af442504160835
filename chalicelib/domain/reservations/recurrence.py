"""Recurring bookings: RFC 5545 RRULE expansion (python-dateutil) in the resource's time zone.

How a series is expanded:

- The first occurrence's start (any offset) is converted to the resource's zone; its local wall
  clock is the rule's DTSTART. dateutil expands the rule over local wall-clock times, and each
  occurrence is converted to UTC on its own, so a weekly 09:00 booking stays at 09:00 local
  across DST changes (its UTC time moves by an hour).
- An occurrence lasts `duration` of elapsed time from its start.
- A local start that does not exist (spring-forward gap) is shifted forward by the gap (02:30 ->
  03:30 in Berlin); an ambiguous one (fall-back) is the first of the two instants (`fold=0`,
  still on summer time). Each `Occurrence` says whether that happened.
- dateutil semantics for DTSTART: the start anchors the time of day and the earliest date; if its
  date does not match the rule (a Tuesday start for BYDAY=MO,WE), only matching dates are booked.
- UNTIL (in the rule or as `until`) is inclusive. A DATE value means "through the end of that local
  date"; a `...Z` value is a UTC instant; a floating value is local wall-clock time.
- EXDATE: a date removes every occurrence on that local date; a datetime (with an offset) removes
  the occurrence starting at that instant (or at that local wall-clock time). COUNT counts
  occurrences before EXDATEs are removed, as in RFC 5545.
- Limits: at most MAX_OCCURRENCES occurrences after EXDATEs, and none may start after
  `now + horizon`: a rule without COUNT/UNTIL is expanded up to there (and must stay within the
  cap), a COUNT/UNTIL series that runs past it is refused (`beyond_horizon`). Whatever the rule,
  dateutil never scans more than a few years past the horizon (domain/calendar_shift.py): a rule
  that cannot produce an occurrence answers no_occurrences in milliseconds, not after walking
  every day to the year 9999.
- What a rule may say is checked first (domain/rrule_text.py): frequencies below DAILY and
  BYHOUR/BYMINUTE/BYSECOND are refused (the time of day comes from the start), so are parts
  RFC 5545 marks N/A for the frequency, a BYMONTHDAY no month has, a BYSETPOS larger than the
  period, an impossible BYDAY=nMO, and rules longer than 500 characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from chalicelib.domain.errors import InvalidInput, RuleViolation
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.booking_rules import parse_zone
from chalicelib.domain.reservations.calendar_shift import shift_for
from chalicelib.domain.reservations.rrule_text import (
    END_OF_DAY,
    MAX_RULE_LENGTH,
    check_parts,
    invalid_rrule,
    parse_until,
    require_aware,
    split_rule,
    until_to_local,
)

MAX_OCCURRENCES = 100


class LocalAdjustment(StrEnum):
    NONE = "none"
    GAP_SHIFTED_FORWARD = "gap_shifted_forward"  # the wall-clock time did not exist that day
    AMBIGUOUS_FIRST = "ambiguous_first"  # the wall-clock time existed twice; the first is used


@dataclass(frozen=True)
class Occurrence:
    index: int  # 0-based position in the expanded series (after EXDATEs)
    window: TimeRange  # UTC
    local_date: date  # in the resource's zone, for display
    local_start: datetime  # aware, in the resource's zone, as actually booked
    adjustment: LocalAdjustment = LocalAdjustment.NONE

    @property
    def start(self) -> datetime:
        return self.window.start

    @property
    def end(self) -> datetime:
        return self.window.end


@dataclass(frozen=True)
class RuleEnd:
    """How the rule ends: COUNT, UNTIL (naive local wall clock, inclusive), or neither."""

    count: int | None = None
    until_local: datetime | None = None

    @property
    def bounded(self) -> bool:
        return self.count is not None or self.until_local is not None


def build_rule(
    text: str, dtstart_local: datetime, zone: ZoneInfo, until: date | datetime | None
) -> tuple[rrule, RuleEnd]:
    """Parse and check the rule text; returns the dateutil rule and how it ends."""
    if len(text) > MAX_RULE_LENGTH:
        raise invalid_rrule(f"the rule is longer than {MAX_RULE_LENGTH} characters")
    parts = split_rule(text)
    check_parts(parts)
    if until is not None and ("COUNT" in parts or "UNTIL" in parts):
        raise invalid_rrule("give the end either in the rule (COUNT/UNTIL) or as until")
    until_local = parse_until(parts.pop("UNTIL"), zone) if "UNTIL" in parts else None
    if until is not None:
        until_local = until_to_local(until, zone)
    body = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        parsed = rrulestr(body, dtstart=dtstart_local)
    except (ValueError, TypeError) as exc:
        raise invalid_rrule(str(exc)) from exc
    if not isinstance(parsed, rrule):  # pragma: no cover - one RRULE line never gives a set
        raise invalid_rrule("expected a single RRULE")
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    return parsed, RuleEnd(count, until_local)


# ---------------------------------------------------------------- expansion


def localize(wall_clock: datetime, zone: ZoneInfo) -> tuple[datetime, LocalAdjustment]:
    """Naive local wall-clock time -> aware time in `zone`, with the gap/ambiguity policy."""
    first = wall_clock.replace(tzinfo=zone, fold=0)
    actual = first.astimezone(UTC).astimezone(zone)
    if actual.replace(tzinfo=None) != wall_clock:
        return actual, LocalAdjustment.GAP_SHIFTED_FORWARD
    if first.replace(fold=1).utcoffset() != first.utcoffset():
        return first, LocalAdjustment.AMBIGUOUS_FIRST
    return first, LocalAdjustment.NONE


@dataclass(frozen=True)
class _Exclusions:
    dates: frozenset[date]
    instants: frozenset[datetime]
    wall_clock: frozenset[datetime]

    @classmethod
    def build(cls, exdates: Iterable[date | datetime], zone: ZoneInfo) -> _Exclusions:
        dates: set[date] = set()
        instants: set[datetime] = set()
        wall_clock: set[datetime] = set()
        for value in exdates:
            if isinstance(value, datetime):
                aware = require_aware(value, "exdates")
                instants.add(aware.astimezone(UTC))
                wall_clock.add(aware.astimezone(zone).replace(tzinfo=None))
            else:
                dates.add(value)
        return cls(frozenset(dates), frozenset(instants), frozenset(wall_clock))

    def excludes(self, nominal: datetime, actual: datetime) -> bool:
        return (
            nominal.date() in self.dates
            or nominal in self.wall_clock
            or actual.astimezone(UTC) in self.instants
        )


def expand_recurrence(
    start: datetime,
    duration: timedelta,
    rule: str,
    *,
    timezone: str,
    now: datetime,
    horizon: timedelta,
    exdates: Sequence[date | datetime] = (),
    until: date | datetime | None = None,
    max_occurrences: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """Expand `rule` from `start` into UTC occurrences, in order (see the module docstring).

    Raises InvalidInput (naive_datetime, invalid_rrule, unsupported_frequency, invalid_duration)
    for a malformed request, RuleViolation too_many_occurrences past the cap, beyond_horizon when
    a COUNT/UNTIL series runs past `now + horizon`, and no_occurrences when nothing is left to
    book. Other per-occurrence rules (past, hours, blackouts) are check_booking's job.
    """
    require_aware(start, "start_time")
    if duration <= timedelta(0):
        raise InvalidInput("the duration must be positive", code="invalid_duration")
    zone = parse_zone(timezone)
    dtstart_local = start.astimezone(zone).replace(tzinfo=None)
    parsed, end = build_rule(rule, dtstart_local, zone, until)
    exclusions = _Exclusions.build(exdates, zone)
    latest = now + horizon
    occurrences: list[Occurrence] = []
    for nominal, actual, adjustment in _walk(
        parsed, end, zone, start, latest=latest, horizon=horizon
    ):
        if exclusions.excludes(nominal, actual):
            continue
        if actual > latest:  # only a COUNT/UNTIL rule walks past the horizon
            raise _beyond_horizon(horizon, actual)
        if len(occurrences) == max_occurrences:
            raise _too_many(max_occurrences, end.bounded, horizon)
        begin = actual.astimezone(UTC)
        window = TimeRange(begin, begin + duration)
        occurrences.append(Occurrence(len(occurrences), window, actual.date(), actual, adjustment))
    if not occurrences:
        raise RuleViolation(
            "The recurrence rule leaves no occurrence to book", code="no_occurrences"
        )
    return occurrences


def _walk(
    parsed: rrule,
    end: RuleEnd,
    zone: ZoneInfo,
    first: datetime,
    *,
    latest: datetime,
    horizon: timedelta,
) -> Iterator[tuple[datetime, datetime, LocalAdjustment]]:
    """(nominal wall clock, actual aware local start, adjustment), never past the horizon.

    The rule runs in an identical calendar just before year 9999 (domain/calendar_shift.py), so
    dateutil runs out of dates a few years after `latest` however sparse the rule is. An
    open-ended rule stops at its first start after `latest`; a COUNT/UNTIL rule yields that
    start (the caller refuses it unless an EXDATE removes it), and if the walk ends before the
    rule's own end, the rest of the series lies beyond the horizon: refused too.

    The occurrence at DTSTART is `first` itself: on a fall-back day the caller may have meant the
    second 02:30, which the wall clock alone cannot tell. dateutil drops microseconds; they are
    put back so every occurrence starts at the same fraction of a second.
    """
    first_local = first.astimezone(zone)
    dtstart = first_local.replace(tzinfo=None, fold=0)
    last_year = max(dtstart.year, latest.astimezone(zone).year) + 1
    scan_end = datetime.combine(date(min(last_year, MAXYEAR), 12, 31), END_OF_DAY)
    until = end.until_local
    if until is not None and until < dtstart:
        return
    shift = shift_for(dtstart.year, last_year)
    inside = until is not None and until <= scan_end
    moved = parsed.replace(
        dtstart=shift.forward(dtstart), until=shift.forward(until) if inside and until else None
    )
    moved_end = shift.forward(scan_end)
    produced, ran_out = 0, True
    for shifted in moved:
        if shifted > moved_end:  # past every year whose calendar was matched
            ran_out = False
            break
        produced += 1
        nominal = shift.back(shifted).replace(microsecond=dtstart.microsecond)
        if nominal == dtstart:
            actual, adjustment = first_local, LocalAdjustment.NONE
        else:
            actual, adjustment = localize(nominal, zone)
        if actual > latest and not end.bounded:
            return
        yield nominal, actual, adjustment
    # A COUNT/UNTIL rule that did not reach its own end here ends beyond the horizon.
    finished = (
        ran_out and (end.count is None or produced >= end.count) and (until is None or inside)
    )
    if end.bounded and not finished:
        raise _beyond_horizon(horizon, None)


def _beyond_horizon(horizon: timedelta, first_beyond: datetime | None) -> RuleViolation:
    where = "" if first_beyond is None else f" (the one at {first_beyond.isoformat()} is)"
    return RuleViolation(
        f"Every occurrence must start within the booking horizon ({horizon.days} days); "
        f"this series runs past it{where}",
        code="beyond_horizon",
        details={"horizon_days": horizon.days},
    )


def _too_many(cap: int, bounded: bool, horizon: timedelta) -> RuleViolation:
    where = "" if bounded else f" within the booking horizon ({horizon.days} days)"
    return RuleViolation(
        f"A series may have at most {cap} occurrences; this rule has more{where}",
        code="too_many_occurrences",
        details={"max_occurrences": cap},
    )


# ---------------------------------------------------------------- the old product's simple form

_FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _simple_error(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_recurrence", details={"field": field})


def _positive_int(value: Any, field: str, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _simple_error(f"{field} must be a positive whole number", field)
    return value


def _simple_days(frequency: str, days: Any) -> str | None:
    if days is None or days == []:
        return None
    if frequency == "monthly":
        raise _simple_error("days_of_week applies to daily and weekly series only", "days_of_week")
    if not isinstance(days, list | tuple) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days
    ):
        raise _simple_error("days_of_week must list weekdays 0 (Monday) to 6", "days_of_week")
    return ",".join(_BYDAY[d] for d in sorted(set(days)))


def _simple_end(end: Any) -> str | None:
    if end is None:
        return None
    if not isinstance(end, Mapping) or len(end) != 1 or not set(end) <= {"count", "until"}:
        raise _simple_error("end must be {'count': n} or {'until': date}", "end")
    if "count" in end:
        return f"COUNT={_positive_int(end['count'], 'end.count')}"
    until = end["until"]
    if isinstance(until, str):
        try:
            until = date.fromisoformat(until)
        except ValueError:
            raise _simple_error("end.until must be a date (YYYY-MM-DD)", "end.until") from None
    if isinstance(until, datetime) or not isinstance(until, date):
        raise _simple_error("end.until must be a date (YYYY-MM-DD)", "end.until")
    return f"UNTIL={until.strftime('%Y%m%d')}"


def rrule_from_simple(spec: Mapping[str, Any]) -> str:
    """The old API's {"frequency", "interval", "days_of_week", "end"} as an RRULE string.

    days_of_week uses 0 = Monday (as BusinessHours does); `end.until` is an inclusive local date.
    """
    frequency = spec.get("frequency")
    if frequency not in _FREQUENCIES:
        raise _simple_error("frequency must be daily, weekly or monthly", "frequency")
    parts = [f"FREQ={_FREQUENCIES[frequency]}"]
    interval = _positive_int(spec.get("interval"), "interval", default=1)
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    byday = _simple_days(frequency, spec.get("days_of_week"))
    if byday:
        parts.append(f"BYDAY={byday}")
    end = _simple_end(spec.get("end"))
    if end:
        parts.append(end)
    return ";".join(parts)
