"""Reading the counters back (pure): date ranges, totals, KPIs and the peak matrix."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.analytics import facts as f
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reservations.time_range import TimeRange

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


@dataclass(frozen=True)
class DateRange:
    """UTC dates [first, last], both included."""

    first: date
    last: date

    @classmethod
    def of(cls, first: date | None, last: date | None, today: date) -> DateRange:
        last = last or (today if first is None else first + timedelta(DEFAULT_RANGE_DAYS - 1))
        first = first or last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if last < first:
            raise InvalidInput(
                "'to' must not be before 'from'",
                code="invalid_range",
                details={"from": first.isoformat(), "to": last.isoformat()},
            )
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise InvalidInput(
                f"a range spans at most {MAX_RANGE_DAYS} days",
                code="range_too_long",
                details={"max_days": MAX_RANGE_DAYS},
            )
        return cls(first, last)

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)

    def months(self) -> list[str]:
        return sorted({f.month_of(datetime.combine(d, time(0))) for d in self.days()})

    def days_by_month(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for d in self.days():
            out.setdefault(f"{d.year:04d}-{d.month:02d}", []).append(d.day)
        return out

    @property
    def window(self) -> TimeRange:
        start = datetime.combine(self.first, time(0), tzinfo=UTC)
        return TimeRange(start, start + timedelta(days=(self.last - self.first).days + 1))


Totals = dict[str, int]
Rows = Mapping[tuple[str, str], Mapping[str, int]]  # (month, scope) -> counters


def attrs_for(rng: DateRange, metrics: tuple[str, ...]) -> list[str]:
    """The day attributes of `metrics` inside the range (a projection for the reads)."""
    days = sorted({d.day for d in rng.days()})
    return [f"{m}_{d:02d}" for m in metrics for d in days]


def _month_plan(rng: DateRange) -> dict[str, tuple[bool, set[int]]]:
    """month -> (read its total and subtract `days`, the days to read): a month mostly
    inside the range is its total minus the days outside, otherwise the days inside."""
    plan: dict[str, tuple[bool, set[int]]] = {}
    for month, days in rng.days_by_month().items():
        year, number = (int(part) for part in month.split("-"))
        following = date(year + number // 12, number % 12 + 1, 1)
        length = (following - timedelta(days=1)).day
        outside = set(range(1, length + 1)) - set(days)
        plan[month] = (True, outside) if len(outside) < len(days) else (False, set(days))
    return plan


def total_attrs(rng: DateRange, metrics: tuple[str, ...]) -> list[str]:
    """What `totals_by_scope` needs of `metrics` (a projection for the reads): the month
    totals and the days to subtract, or the days inside the range."""
    plan = _month_plan(rng)
    days = sorted({d for _, ds in plan.values() for d in ds})
    totals = [f.month_total(m) for m in metrics] if any(t for t, _ in plan.values()) else []
    return totals + [f"{m}_{d:02d}" for m in metrics for d in days]


def totals_by_scope(rows: Rows, rng: DateRange) -> dict[str, Totals]:
    """scope -> metric -> sum over the range's days, from rows read with `total_attrs`."""
    plan = _month_plan(rng)
    out: dict[str, Totals] = {}
    for (month, scope), attrs in rows.items():
        whole, days = plan.get(month, (False, set()))
        bucket = out.setdefault(scope, {})
        for attr, amount in attrs.items():
            metric, _, day = attr.partition("_")
            if metric not in f.METRICS:
                continue
            if day == f.MONTH_TOTAL and whole:
                bucket[metric] = bucket.get(metric, 0) + amount
            elif day.isdigit() and int(day) in days:
                bucket[metric] = bucket.get(metric, 0) + (-amount if whole else amount)
    return out


def day_sums_by_scope(rows: Rows, rng: DateRange) -> dict[str, Totals]:
    """scope -> metric -> sum over the range's days, from rows read with `attrs_for`."""
    wanted = rng.days_by_month()
    out: dict[str, Totals] = {}
    for (month, scope), attrs in rows.items():
        days = set(wanted.get(month, ()))
        bucket = out.setdefault(scope, {})
        for attr, amount in attrs.items():
            metric, _, day = attr.partition("_")
            if metric in f.METRICS and day.isdigit() and int(day) in days:
                bucket[metric] = bucket.get(metric, 0) + amount
    return out


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def kpis(t: Totals) -> dict[str, float | int | None]:
    """The headline figures of one set of totals (docs/analytics.md "Metrics")."""
    n, cx = t.get(f.BOOKINGS, 0), t.get(f.CANCELS, 0)
    return {
        "reservations": n,
        "booked_hours": _hours(t.get(f.BOOKED_MIN, 0)),
        "checked_in_hours": _hours(t.get(f.USED_MIN, 0)),
        "no_shows": t.get(f.NO_SHOWS, 0),
        "no_show_rate": _ratio(t.get(f.NO_SHOWS, 0), n),
        "released_hours": _hours(t.get(f.NO_SHOW_MIN, 0)),
        "released_rebooked_hours": _hours(t.get(f.REBOOKED_MIN, 0)),
        "cancellations": cx,
        "cancellation_rate": _ratio(cx, n + cx),
        "avg_lead_hours": round(t.get(f.LEAD_MIN, 0) / n / 60, 2) if n else None,
        "avg_cancel_lead_hours": round(t.get(f.CANCEL_LEAD_MIN, 0) / cx / 60, 2) if cx else None,
    }


def utilisation(booked_minutes: int, open_minutes: int) -> float | None:
    return _ratio(booked_minutes, open_minutes)


def peak_matrix(rows: Rows, rng: DateRange, zone: ZoneInfo) -> list[list[float]]:
    """7 x 24 booked hours, [weekday (0 = Monday)][local hour in `zone`], summed over every
    scope in `rows` (hourly cells) inside the range. Hours are stored per UTC hour and
    converted instant by instant, so DST shifts land in the right local hour."""
    wanted = rng.days_by_month()
    matrix = [[0] * 24 for _ in range(7)]
    for (month, _scope), attrs in rows.items():
        days = set(wanted.get(month, ()))
        year, mon = int(month[:4]), int(month[5:7])
        for attr, minutes in attrs.items():
            parts = attr.split("_")
            if len(parts) != 3 or parts[0] != f.HOURLY or int(parts[1]) not in days:
                continue
            at = datetime(year, mon, int(parts[1]), int(parts[2]), tzinfo=UTC).astimezone(zone)
            matrix[at.weekday()][at.hour] += minutes
    return [[_hours(m) for m in row] for row in matrix]


def hourly_attrs(rng: DateRange) -> list[str]:
    days = sorted({d.day for d in rng.days()})
    return [f"{f.HOURLY}_{d:02d}_{h:02d}" for d in days for h in range(24)]
