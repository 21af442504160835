"""Each reservation port as a (fake, real-on-moto) pair: every contract test runs on both.

The fakes are tests/fakes/reservations.py over one `FakeTable`; the real adapters are the
store classes wiring.py builds, on the in-process moto table of the `aws` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.catalog.resources import BookingPolicy, Resource
from chalicelib.domain.ids import SequentialIds
from chalicelib.domain.reservations import (
    Actor,
    HistoryEntry,
    Reservation,
    ReservationStatus,
    TimeRange,
)
from chalicelib.domain.reservations.conflicts import Buffers
from chalicelib.services.reservations.ports import (
    BatchAnchors,
    IdempotencyRecords,
    ReservationReads,
    ReservationWriter,
    SeriesAnchors,
)
from chalicelib.store.catalog.repository import ResourceStore
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.reservations.bulk import BulkStore
from chalicelib.store.reservations.idempotency import IdempotencyStore
from chalicelib.store.reservations.repository import ReservationStore
from chalicelib.store.reservations.series import SeriesStore
from chalicelib.store.reservations.writer import Booking, BookingWriter
from tests.fakes.reservation_anchors import FakeReservationWorld

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
ROOM = "res-1"
OWNER = Actor("u1")


@dataclass
class Ports:
    """The reservation ports over one table (in memory, or moto)."""

    kind: str
    reservations: ReservationReads
    writer: ReservationWriter
    series: SeriesAnchors
    batches: BatchAnchors
    records: IdempotencyRecords
    add_resource: Callable[[Resource], object]  # the catalogue `book` / `move` read from


@pytest.fixture(params=["fake", "real"])
def ports(request: pytest.FixtureRequest) -> Ports:
    if request.param == "fake":
        world = FakeReservationWorld()
        return Ports(
            "fake",
            world.reservations,
            world.writer,
            world.series,
            world.batches,
            world.records,
            world.catalog.add,
        )
    request.getfixturevalue("aws")
    catalog = ResourceStore(CursorCodec("contract"))
    return Ports(
        "real",
        ReservationStore(),
        BookingWriter(SequentialIds("h"), catalog),
        SeriesStore(),
        BulkStore(),
        IdempotencyStore(),
        catalog.create,
    )


def a_reservation(
    rid: str,
    start: datetime = T0,
    *,
    minutes: int = 60,
    resource_id: str = ROOM,
    user: str = "u1",
) -> Reservation:
    window = TimeRange(start, start + timedelta(minutes=minutes))
    return Reservation(rid, resource_id, user, window, ReservationStatus.ACTIVE, T0)


def a_booking(reservation: Reservation, buffers: Buffers | None = None) -> Booking:
    entry = HistoryEntry(T0, reservation.user_id, "created", details={"by": "contract"})
    return Booking(reservation, entry, buffers or Buffers())


def a_resource(resource_id: str = ROOM) -> Resource:
    return Resource(
        resource_id=resource_id,
        name=resource_id,
        timezone="UTC",
        enabled=True,
        policy=BookingPolicy(),
    )
