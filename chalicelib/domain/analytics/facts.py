"""What one reservation contributes to the analytics counters (pure).

The analytics worker applies, per reservation change, `contribution(after) - contribution(before)`
(`delta`), and the rebuild job sums `contribution(current)` over every reservation: the two
telescope to the same counters, which is what makes "backfill equals incremental" hold.

A contribution is a set of cells `(kind, month, scope) -> {attribute: amount}`:

- kind `M` (per day of a month): attributes `<metric>_<dd>`, metrics in `METRICS`;
- kind `H` (per hour): `h_<dd>_<HH>` booked minutes, UTC hours;
- scopes: `ALL`, `R#<resource>`, `U#<user>` (both kinds) and `UR#<user>#<resource>` (kind M
  only: a user's own utilisation and favourites).

Days and hours are UTC; a reservation's minutes are split over the days and hours it spans,
its counts go to the day it starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.timeutil import iso_z, parse_instant

# Metric codes of kind-M cells (documented in docs/analytics.md).
BOOKINGS = "n"  # reservations booked (count, day of start)
BOOKED_MIN = "bm"  # booked minutes
USED_MIN = "um"  # checked-in minutes (checked_in, completed)
NO_SHOWS = "ns"  # no-shows (count)
NO_SHOW_MIN = "nm"  # minutes released by no-shows
CANCELS = "cx"  # cancellations (count)
CANCEL_LEAD_MIN = "cl"  # sum of minutes between cancelling and the start
LEAD_MIN = "lt"  # sum of minutes between booking and the start (booked ones)
REBOOKED_MIN = "rr"  # minutes of released (no-show) windows booked again
METRICS = (
    BOOKINGS,
    BOOKED_MIN,
    USED_MIN,
    NO_SHOWS,
    NO_SHOW_MIN,
    CANCELS,
    CANCEL_LEAD_MIN,
    LEAD_MIN,
    REBOOKED_MIN,
)
HOURLY = "h"

MONTHLY_KIND = "M"
MONTH_TOTAL = "t"  # `<metric>_t`: the monthly cell's total over the month (session 10)
HOURLY_KIND = "H"
ALL = "ALL"

# Statuses whose time was booked (held offers, pending approvals, rejections are not).
_BOOKED = frozenset({"active", "checked_in", "completed", "no_show"})
_USED = frozenset({"checked_in", "completed"})

Cell = tuple[str, str, str]  # (kind, "yyyy-mm", scope)
Counters = dict[Cell, dict[str, int]]


@dataclass(frozen=True)
class ReservationFacts:
    """The attributes of a reservation item the counters depend on."""

    reservation_id: str
    resource_id: str
    user_id: str
    start: datetime
    end: datetime
    status: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_image(cls, image: Mapping[str, Any] | None) -> ReservationFacts | None:
        """From a reservation item image (stream or table); None if it is not one."""
        if not image:
            return None
        try:
            start = parse_instant(str(image["start_time"]))
            created = parse_instant(str(image.get("created_at") or image["start_time"]))
            return cls(
                reservation_id=str(image["reservation_id"]),
                resource_id=str(image["resource_id"]),
                user_id=str(image["user_id"]),
                start=start,
                end=parse_instant(str(image["end_time"])),
                status=str(image["status"]),
                created_at=created,
                updated_at=parse_instant(str(image.get("updated_at") or created.isoformat())),
            )
        except (KeyError, ValueError):
            return None
        except Exception:  # InvalidInput from parse_instant: not a usable image
            return None

    def to_image(self) -> dict[str, str]:
        return {
            "reservation_id": self.reservation_id,
            "resource_id": self.resource_id,
            "user_id": self.user_id,
            "start_time": iso_z(self.start),
            "end_time": iso_z(self.end),
            "status": self.status,
            "created_at": iso_z(self.created_at),
            "updated_at": iso_z(self.updated_at),
        }

    @property
    def booked(self) -> bool:
        # An `expired` reservation was booked when it expired after its end (an active one
        # nobody checked into); one that expired before (an offer, an approval) never was.
        if self.status == "expired":
            return self.updated_at >= self.end
        return self.status in _BOOKED


@dataclass(frozen=True)
class Released:
    """A window a no-show released: bookings made after `released_at` that overlap it were
    rebooked into released time."""

    reservation_id: str
    resource_id: str
    start: datetime
    end: datetime
    released_at: datetime


def released_by(facts: ReservationFacts | None) -> Released | None:
    if facts is None or facts.status != "no_show":
        return None
    return Released(
        facts.reservation_id, facts.resource_id, facts.start, facts.end, facts.updated_at
    )


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def month_of(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def _scopes(facts: ReservationFacts) -> tuple[str, ...]:
    return (ALL, f"R#{facts.resource_id}", f"U#{facts.user_id}")


def month_total(metric: str) -> str:
    """The attribute holding `metric` summed over the whole month (a monthly cell keeps it
    beside the day attributes, so a read of whole months projects one attribute per metric
    instead of ~30, and a read of most of a month subtracts the few days outside)."""
    return f"{metric}_{MONTH_TOTAL}"


def _add(counters: Counters, cells: Iterable[Cell], attr: str, amount: int) -> None:
    if amount == 0:
        return
    total = month_total(attr.partition("_")[0])
    for cell in cells:
        bucket = counters.setdefault(cell, {})
        bucket[attr] = bucket.get(attr, 0) + amount
        if cell[0] == MONTHLY_KIND:
            bucket[total] = bucket.get(total, 0) + amount


def _day_cells(facts: ReservationFacts, at: datetime) -> list[Cell]:
    month = month_of(at)
    cells = [(MONTHLY_KIND, month, scope) for scope in _scopes(facts)]
    cells.append((MONTHLY_KIND, month, f"UR#{facts.user_id}#{facts.resource_id}"))
    return cells


def hour_slices(start: datetime, end: datetime) -> Iterable[tuple[datetime, int]]:
    """(UTC hour start, minutes of [start, end) inside it), hour by hour."""
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        following = hour + timedelta(hours=1)
        minutes = _minutes(min(end, following) - max(start, hour))
        if minutes:
            yield hour, minutes
        hour = following


def _split_minutes(counters: Counters, facts: ReservationFacts, metric: str) -> None:
    by_day: dict[datetime, int] = defaultdict(int)
    for hour, minutes in hour_slices(facts.start, facts.end):
        by_day[hour.replace(hour=0)] += minutes
        if metric == BOOKED_MIN:
            cells = [(HOURLY_KIND, month_of(hour), scope) for scope in _scopes(facts)]
            _add(counters, cells, f"{HOURLY}_{hour.day:02d}_{hour.hour:02d}", minutes)
    for day, minutes in by_day.items():
        _add(counters, _day_cells(facts, day), f"{metric}_{day.day:02d}", minutes)


def rebooked_minutes(facts: ReservationFacts, released: Sequence[Released]) -> int:
    total = 0
    for window in released:
        if window.reservation_id == facts.reservation_id:
            continue
        if window.resource_id != facts.resource_id or facts.created_at < window.released_at:
            continue
        total += _minutes(min(facts.end, window.end) - max(facts.start, window.start))
    return total


def contribution(facts: ReservationFacts | None, released: Sequence[Released] = ()) -> Counters:
    """Everything `facts` adds to the counters (empty for None)."""
    counters: Counters = {}
    if facts is None or facts.end <= facts.start:
        return counters
    day = f"{facts.start.day:02d}"
    start_cells = _day_cells(facts, facts.start)
    if facts.status == "cancelled":
        _add(counters, start_cells, f"{CANCELS}_{day}", 1)
        lead = _minutes(facts.start - facts.updated_at)
        _add(counters, start_cells, f"{CANCEL_LEAD_MIN}_{day}", lead)
        return counters
    if not facts.booked:
        return counters
    _add(counters, start_cells, f"{BOOKINGS}_{day}", 1)
    _add(counters, start_cells, f"{LEAD_MIN}_{day}", _minutes(facts.start - facts.created_at))
    _split_minutes(counters, facts, BOOKED_MIN)
    if facts.status in _USED:
        _split_minutes(counters, facts, USED_MIN)
    if facts.status == "no_show":
        _add(counters, start_cells, f"{NO_SHOWS}_{day}", 1)
        _split_minutes(counters, facts, NO_SHOW_MIN)
    rebooked = rebooked_minutes(facts, released)
    _add(counters, start_cells, f"{REBOOKED_MIN}_{day}", rebooked)
    return counters


def delta(before: Counters, after: Counters) -> Counters:
    """after - before, without zero entries."""
    out: Counters = {}
    for cell in set(before) | set(after):
        old, new = before.get(cell, {}), after.get(cell, {})
        diff = {a: new.get(a, 0) - old.get(a, 0) for a in set(old) | set(new)}
        diff = {a: v for a, v in diff.items() if v}
        if diff:
            out[cell] = diff
    return out


def merge(into: Counters, more: Counters) -> None:
    """Add `more` to `into` in place (the rebuild's running total)."""
    for cell, attrs in more.items():
        bucket = into.setdefault(cell, {})
        for attr, amount in attrs.items():
            bucket[attr] = bucket.get(attr, 0) + amount
