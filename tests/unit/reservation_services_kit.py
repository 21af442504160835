"""The booking, series and bulk services built on the in-memory fakes (tests/fakes/), with a
frozen clock and sequential ids: what wiring.py does with the real adapters, in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.catalog.resources import BookingPolicy, Resource
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.ids import SequentialIds
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.reservations import Reservation, ReservationStatus, TimeRange
from chalicelib.services.reservations.booking import BookingDeps, BookingService
from chalicelib.services.reservations.bulk import BulkService
from chalicelib.services.reservations.idempotent import IdempotentCreates
from chalicelib.services.reservations.recovery import AnchorRecovery
from chalicelib.services.reservations.series import SeriesService
from tests.fakes.reservation_anchors import FakeReservationWorld

# Tuesday 2026-11-24 08:00 UTC; bookings go on the following days.
NOW = datetime(2026, 11, 24, 8, tzinfo=UTC)
ROOM = "room-1"
HALL = "hall-1"


def at(day: int, hour: float) -> datetime:
    """`day` days after NOW's date, at `hour` UTC."""
    return datetime(2026, 11, 24, tzinfo=UTC) + timedelta(days=day, hours=hour)


def a_user(name: str = "alice") -> Principal:
    return Principal(f"user-{name}", name, frozenset({Role.USER}))


def an_admin(name: str = "root") -> Principal:
    return Principal(f"user-{name}", name, frozenset({Role.ADMIN}))


def a_room(resource_id: str = ROOM, **policy: timedelta) -> Resource:
    return Resource(
        resource_id=resource_id,
        name=resource_id,
        timezone="UTC",
        enabled=True,
        policy=BookingPolicy(**policy),
    )


@dataclass
class Services:
    world: FakeReservationWorld
    clock: FrozenClock
    booking: BookingService
    series: SeriesService
    bulk: BulkService
    recovery: AnchorRecovery

    def add(self, resource: Resource) -> Resource:
        return self.world.catalog.add(resource)

    def occupying(self, resource_id: str = ROOM) -> list[Reservation]:
        """What occupies the resource now, by start."""
        found = [
            r
            for r in self.world.table.reservations.values()
            if r.resource_id == resource_id and r.occupies
        ]
        return sorted(found, key=lambda r: r.window.start)

    def someone_books(
        self, start: datetime, hours: float = 1, *, resource_id: str = ROOM, rid: str = "rival"
    ) -> Reservation:
        """A booking made behind the service's back (another request, committed)."""
        window = TimeRange(start, start + timedelta(hours=hours))
        rival = Reservation(rid, resource_id, "user-bob", window, ReservationStatus.ACTIVE, NOW)
        self.world.table.reservations[rid] = rival
        return rival

    def recovery_runs(self) -> dict[str, int]:
        """The recovery job runs 20 minutes on (past `STUCK_AFTER`): every anchor still
        `creating` is rolled back and marked failed."""
        self.clock.advance(timedelta(minutes=20))
        return self.recovery.recover()


def services(*resources: Resource) -> Services:
    """Given these resources (a room by default) and nothing booked."""
    world = FakeReservationWorld()
    for resource in resources or (a_room(),):
        world.catalog.add(resource)
    clock = FrozenClock(NOW)
    ids = SequentialIds("id")
    once = IdempotentCreates(world.records, clock)
    deps = BookingDeps(world.catalog, world.reservations, clock, world.writer, once, ids)
    return Services(
        world,
        clock,
        BookingService(deps),
        SeriesService(deps, world.series),
        BulkService(deps, world.batches),
        AnchorRecovery(world.batches, world.series, world.reservations, clock, writer=world.writer),
    )
