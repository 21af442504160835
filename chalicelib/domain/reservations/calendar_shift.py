"""Run a dateutil rule in an identical calendar just before year 9999, so every scan ends soon.

dateutil's `rrule` stops only when it yields a date past UNTIL or COUNT, or at
`datetime.MAXYEAR`. A rule whose filters leave its periods empty (`FREQ=DAILY;BYSETPOS=2`,
`BYYEARDAY=366;BYMONTH=1`, ...) never yields, so it walks every period up to the year 9999:
seconds of CPU per request (issue 9, finding 4), whatever UNTIL or the booking horizon say.

Two years of the same length that start on the same weekday have identical calendars (months,
weekdays, ISO weeks, days of the year). So the years of interest are moved, as one block, to
the latest years before MAXYEAR whose calendars match them year by year; dateutil then runs out
of calendar a few years after the window, and each date it yields is moved back by the same
number of years. Relative steps (INTERVAL, COUNT, WKST) are unchanged by the move. A shift by a
multiple of 400 years always matches (the Gregorian cycle), so a shift always exists; within the
last century before 9999 the calendar repeats every 28 years at most, so the scan past the
window is under about 30 years of periods.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import MAXYEAR, date, datetime


def _signature(year: int) -> tuple[bool, int]:
    return calendar.isleap(year), date(year, 1, 1).weekday()


@dataclass(frozen=True)
class YearShift:
    years: int

    def forward(self, value: datetime) -> datetime:
        return value.replace(year=value.year + self.years)

    def back(self, value: datetime) -> datetime:
        return value.replace(year=value.year - self.years)


def shift_for(first_year: int, last_year: int) -> YearShift:
    """The largest shift keeping years `first_year - 1` .. `last_year` identical (and the leap
    status of `last_year + 1`, which dateutil reads for weeks across New Year), with
    `last_year + shift <= MAXYEAR`."""
    low = max(first_year - 1, 1)
    if last_year >= MAXYEAR:
        return YearShift(0)
    wanted = [_signature(year) for year in range(low, last_year + 1)]
    next_leap = calendar.isleap(last_year + 1)
    for years in range(MAXYEAR - last_year, 0, -1):
        if calendar.isleap(last_year + 1 + years) != next_leap:
            continue
        if all(_signature(low + i + years) == sig for i, sig in enumerate(wanted)):
            return YearShift(years)
    return YearShift(0)  # pragma: no cover - a multiple of 400 years always matches
