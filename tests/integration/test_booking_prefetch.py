"""Day versions read together with the resource (one BatchGetItem) and handed to the booking
transaction: a stale pre-read must never let an overlap through (moto, no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from chalicelib import wiring
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import NotFound
from chalicelib.domain.reservations.conflicts import Buffers, ReservationConflict
from chalicelib.store.catalog.repository import ResourceStore
from tests.integration.test_reservations_store import Interleaved, Writer, created, reservation

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
DAY = T0.date()


@pytest.fixture
def catalog(aws: None) -> ResourceStore:
    repo = ResourceStore(wiring.cursors())
    repo.create(Resource(resource_id="res-1", name="Room 1", created_at=T0, updated_at=T0))
    return repo


def slots() -> list[str]:
    items = boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
    return sorted(i["SK"]["S"] for i in items if i["SK"]["S"].startswith("SLOT#"))


def counting() -> Interleaved:
    return Interleaved(lambda _: None, times=0)


def test_the_resource_and_its_day_versions_come_back_from_one_read(
    catalog: ResourceStore,
) -> None:
    # Given a resource with one booking on DAY
    Writer("h").create(reservation("r1", T0), created(), Buffers())
    # When the booking path reads it with the versions of DAY and the next day
    resource, versions = catalog.get_for_booking("res-1", [DAY, DAY + timedelta(days=1)])
    # Then it gets the resource, the bumped version of DAY and none for the untouched day
    assert resource.name == "Room 1"
    assert versions == {DAY: 1, DAY + timedelta(days=1): None}


def test_an_unknown_resource_is_not_found(catalog: ResourceStore) -> None:
    with pytest.raises(NotFound) as missing:
        catalog.get_for_booking("nope", [DAY])
    assert missing.value.code == "resource_not_found"


def test_fresh_pre_read_versions_spare_the_version_read(catalog: ResourceStore) -> None:
    # Given versions read with the resource, nothing booked since
    _, versions = catalog.get_for_booking("res-1", [DAY])
    tx = counting()
    # When we book with them
    Writer("o", tx).create(reservation("mine", T0), created(), Buffers(), versions=versions)
    # Then the transaction committed without reading the versions again
    assert tx.snapshots == 0
    assert slots() == ["SLOT#2026-12-01T09:00:00.000Z#mine"]


def test_a_stale_pre_read_sees_an_overlapping_rival_and_refuses(
    catalog: ResourceStore,
) -> None:
    # Given versions read before a rival booked 09:30-10:30
    _, stale = catalog.get_for_booking("res-1", [DAY])
    rival = reservation("rival", T0 + timedelta(minutes=30))
    Writer("h").create(rival, created(), Buffers())
    # When we book 09:00-10:00 with the stale versions
    with pytest.raises(ReservationConflict) as refused:
        Writer("o", counting()).create(
            reservation("mine", T0), created(), Buffers(), versions=stale
        )
    # Then the rival is the only occupant
    assert [o.reservation_id for o in refused.value.occupants] == ["rival"]
    assert slots() == ["SLOT#2026-12-01T09:30:00.000Z#rival"]


def test_a_stale_pre_read_of_a_busy_day_costs_one_retry_not_an_overlap(
    catalog: ResourceStore,
) -> None:
    # Given versions read before a rival booked a later hour of the same day
    _, stale = catalog.get_for_booking("res-1", [DAY])
    rival = reservation("rival", T0 + timedelta(hours=3))
    Writer("h").create(rival, created(), Buffers())
    tx = counting()
    # When we book 09:00-10:00 with the stale versions
    Writer("o", tx).create(reservation("mine", T0), created(), Buffers(), versions=stale)
    # Then the first transaction failed on the version, the retry re-read it and committed
    assert tx.snapshots == 1
    assert slots() == [
        "SLOT#2026-12-01T09:00:00.000Z#mine",
        "SLOT#2026-12-01T12:00:00.000Z#rival",
    ]


def test_versions_not_covering_the_buffered_days_are_read_again(
    catalog: ResourceStore,
) -> None:
    # Given a pre-read of DAY only, for a booking at 00:30 whose 1 h buffer reaches the day before
    _, versions = catalog.get_for_booking("res-1", [DAY])
    tx = counting()
    early = reservation("mine", datetime(2026, 12, 1, 0, 30, tzinfo=UTC))
    # When it is booked
    Writer("o", tx).create(early, created(), Buffers(before=timedelta(hours=1)), versions=versions)
    # Then the versions were read afresh (both days), and the booking committed
    assert tx.snapshots == 1
    assert slots() == ["SLOT#2026-12-01T00:30:00.000Z#mine"]
