"""A per-process cache of the global reference data every booking reads: the default business
hours and the global blackouts.

Why: on DynamoDB Local each call costs ~3 ms of CPU, and these two reads were a quarter of a
create's calls although they change a few times a year (docs/data-model.md, "Reference data
staleness"). The trade-off is bounded: an entry is reused for at most `TTL_S` seconds; a
write made through this process (`set_default_hours`, adding or removing a global blackout)
forgets the entry at once, so only OTHER processes (other Lambda instances) can act on the old
value, for at most `TTL_S`. The booking invariant (no overlap) never depends on this data: it
is a rule check before the conditional transaction, like an admin's change arriving a moment
after the booking.

Global blackouts are cached as one query from a `floor` date on; a request starting before
the floor is answered by a fresh query instead (correct, just uncached).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from chalicelib.domain.catalog.resources import Blackout, BusinessHours

TTL_S = 5.0
FLOOR_MARGIN = timedelta(days=7)  # a cached blackout query also serves requests a week earlier
T = TypeVar("T")


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    expires: float


class TtlSlot(Generic[T]):
    """One cached value, reused until `ttl_s` after it was read; thread-safe."""

    def __init__(self, ttl_s: float = TTL_S, monotonic: Callable[[], float] = time.monotonic):
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._entry: _Entry[T] | None = None
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, read: Callable[[], T], usable: Callable[[T], bool] = lambda _: True) -> T:
        now = self._monotonic()
        with self._lock:
            entry, generation = self._entry, self._generation
        if entry is not None and now < entry.expires and usable(entry.value):
            return entry.value
        value = read()
        with self._lock:
            # A forget() while we were reading means our value may predate a write: keep it
            # for this caller only.
            if generation == self._generation:
                self._entry = _Entry(value, now + self._ttl_s)
        return value

    def forget(self) -> None:
        with self._lock:
            self._entry = None
            self._generation += 1


@dataclass(frozen=True)
class GlobalBlackouts:
    """Every global blackout ending on or after `floor`."""

    floor: date
    blackouts: tuple[Blackout, ...]

    def between(self, start: date, end: date) -> list[Blackout]:
        return [b for b in self.blackouts if b.end_date >= start and b.start_date <= end]


_hours: TtlSlot[BusinessHours | None] = TtlSlot()
_blackouts: TtlSlot[GlobalBlackouts] = TtlSlot()


def default_hours(read: Callable[[], BusinessHours | None]) -> BusinessHours | None:
    return _hours.get(read)


def global_blackouts(
    start: date, end: date, read_from: Callable[[date], list[Blackout]]
) -> list[Blackout]:
    """Global blackouts touching [start, end]; `read_from(floor)` queries those ending >= floor."""

    def read() -> GlobalBlackouts:
        floor = start - FLOOR_MARGIN if start > date.min + FLOOR_MARGIN else start
        return GlobalBlackouts(floor, tuple(read_from(floor)))

    cached = _blackouts.get(read, usable=lambda value: value.floor <= start)
    return cached.between(start, end)


def forget_hours() -> None:
    _hours.forget()


def forget_blackouts() -> None:
    _blackouts.forget()


def forget_all() -> None:
    """Tests (wiring.reset) start from an empty cache: each test has a table of its own."""
    forget_hours()
    forget_blackouts()
