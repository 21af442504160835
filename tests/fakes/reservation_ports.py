"""In-memory fakes of the ports the resource service uses to reach reservations."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.catalog.rules import Occupant
from chalicelib.domain.principal import Principal


@dataclass
class FakeReservations:
    """Implements FutureReservations and CurrentOccupancy over a list of (resource, occupant)."""

    bookings: list[tuple[str, Occupant]] = field(default_factory=list)
    cancelled: list[tuple[str, str, str]] = field(default_factory=list)  # (id, actor, reason)
    batch_calls: int = 0

    def book(self, resource_id: str, reservation_id: str, start: datetime, end: datetime) -> None:
        self.bookings.append((resource_id, Occupant(reservation_id, start, end)))

    def count_future(self, resource_id: str, now: datetime) -> int:
        return sum(1 for rid, o in self.bookings if rid == resource_id and o.end > now)

    def cancel_all_future(
        self, resource_id: str, now: datetime, *, actor: Principal, reason: str
    ) -> int:
        doomed = [(r, o) for r, o in self.bookings if r == resource_id and o.end > now]
        for pair in doomed:
            self.bookings.remove(pair)
            self.cancelled.append((pair[1].reservation_id, actor.subject_id, reason))
        return len(doomed)

    def current(self, resource_id: str, now: datetime) -> Occupant | None:
        return self.current_many([resource_id], now).get(resource_id)

    def count_in_use(self, now: datetime) -> int:
        return len({r for r, o in self.bookings if o.start <= now < o.end})

    def current_many(self, resource_ids: Sequence[str], now: datetime) -> Mapping[str, Occupant]:
        self.batch_calls += 1
        wanted = set(resource_ids)
        return {r: o for r, o in self.bookings if r in wanted and o.start <= now < o.end}

    def current_reader(
        self, now: datetime, expected: int
    ) -> Callable[[Sequence[str]], Mapping[str, Occupant]]:
        return lambda resource_ids: self.current_many(resource_ids, now)
