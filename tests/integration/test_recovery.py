"""Crash recovery: series and bulk batches stuck in `creating` are rolled back by the
`recover-stuck-batches` job, once, even when two runs overlap.

A crash is simulated by doing, through the store, what a request does before it dies: write
the `creating` anchor and the first chunk of its reservations, and nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.ids import SequentialIds
from chalicelib.domain.reservations import HistoryEntry, Reservation, ReservationStatus, TimeRange
from chalicelib.domain.reservations.bulk import STUCK_AFTER, BatchStatus, BulkBatch
from chalicelib.domain.reservations.conflicts import Buffers
from chalicelib.domain.reservations.series import Series, SeriesStatus
from chalicelib.services.reservations.recovery import AnchorRecovery
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.anchors import StuckAnchor
from chalicelib.store.reservations.booking_tx import FenceFailed
from chalicelib.store.reservations.bulk import BulkStore
from chalicelib.store.reservations.repository import ReservationStore
from chalicelib.store.reservations.series import SeriesStore
from chalicelib.store.reservations.writer import Booking, BookingWriter
from tests.factories import auth_headers
from tests.integration.reservations_kit import at, create_resource

RUN = "/api/v1/admin/jobs/recover-stuck-batches/run"


@pytest.fixture
def room(clock: FrozenClock) -> str:
    return create_resource("room-1").resource_id


def drafts(
    prefix: str, now: datetime, days: int, series_id: str | None = None, hour: int = 10
) -> list[Reservation]:
    return [
        Reservation(
            f"{prefix}-{n}",
            "room-1",
            "alice-id",
            TimeRange(at(hour) + timedelta(days=n), at(hour + 1) + timedelta(days=n)),
            ReservationStatus.ACTIVE,
            now,
            series_id=series_id,
        )
        for n in range(days)
    ]


def crashed_series(now: datetime) -> Series:
    """A series of four whose request died after writing its first two occurrences."""
    occurrences = drafts("occ", now, 4, series_id="s-1")
    series = Series(
        "s-1",
        "room-1",
        "alice-id",
        "FREQ=DAILY;COUNT=4",
        occurrences[0].window,
        SeriesStatus.CREATING,
        now,
        occurrence_ids=tuple(r.reservation_id for r in occurrences),
    )
    SeriesStore().start(series, None)
    write_chunk(SeriesStore().still_creating(series), occurrences[:2], now)
    return series


def crashed_batch(now: datetime) -> BulkBatch:
    """A bulk batch of four whose request died after writing its first chunk (two)."""
    bookings = drafts("blk", now, 4, hour=14)
    batch = BulkBatch(
        "b-1",
        "alice-id",
        BatchStatus.CREATING,
        now,
        reservation_ids=tuple(r.reservation_id for r in bookings),
    )
    BulkStore().start(batch, None)
    write_chunk(BulkStore().still_creating(batch), bookings[:2], now)
    return batch


def write_chunk(fence: Item, reservations: list[Reservation], now: datetime) -> None:
    """One chunk as the anchored writer writes it: fenced on its anchor being `creating`."""
    chunk = [Booking(r, HistoryEntry(now, "alice-id", "created"), Buffers()) for r in reservations]
    BookingWriter(SequentialIds(f"h-{reservations[0].reservation_id}")).create(chunk, extra=[fence])


def statuses(prefix: str) -> list[str]:
    items = boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
    return sorted(
        i["status"]["S"]
        for i in items
        if i.get("type", {}).get("S") == "reservation"
        and i["reservation_id"]["S"].startswith(prefix)
    )


def occupancy() -> list[str]:
    items = boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
    return [i["reservation_id"]["S"] for i in items if i["SK"]["S"].startswith("SLOT#")]


def run_job(client: Client, token: str) -> dict[str, Any]:
    response = client.http.post(RUN, headers=auth_headers(token), body=b"")
    assert response.status_code == 200, response.body
    result: dict[str, Any] = response.json_body["result"]
    return result


def test_a_stuck_series_and_a_stuck_batch_are_rolled_back_once(
    client: Client, room: str, clock: FrozenClock, admin_token: str
) -> None:
    # Given a series and a bulk batch whose requests crashed half-way
    series = crashed_series(clock.now())
    batch = crashed_batch(clock.now())
    assert statuses("occ") == statuses("blk") == ["active", "active"]
    # When the job runs before they count as stuck, Then it leaves them alone
    assert run_job(client, admin_token)["series"] == 0
    assert statuses("occ") == ["active", "active"]
    # When it runs once they have been `creating` for longer than STUCK_AFTER
    clock.advance(STUCK_AFTER + timedelta(minutes=1))
    # (through the job service: the admin's access token has expired meanwhile)
    result = wiring.jobs().run("recover-stuck-batches").result
    # Then what was written is cancelled and both anchors are failed
    assert result == {"series": 1, "batches": 1, "cancelled": 4, "skipped": 0}
    assert statuses("occ") == statuses("blk") == ["cancelled", "cancelled"]
    stored_series = SeriesStore().get(series.series_id)
    stored_batch = BulkStore().get(batch.batch_id)
    assert stored_series is not None and stored_series.status == SeriesStatus.FAILED
    assert stored_batch is not None and stored_batch.status == BatchStatus.FAILED
    # And the slots are free again
    assert occupancy() == []
    # When it runs again, Then there is nothing left to do
    again = wiring.jobs().run("recover-stuck-batches").result
    assert again == {"series": 0, "batches": 0, "cancelled": 0, "skipped": 0}


def test_a_chunk_cannot_land_after_its_batch_was_rolled_back(
    client: Client, room: str, clock: FrozenClock
) -> None:
    batch = crashed_batch(clock.now())
    clock.advance(STUCK_AFTER + timedelta(minutes=1))
    wiring.recovery().recover()
    # When the (not quite dead) writer tries its next chunk, Then the fence refuses it
    with pytest.raises(FenceFailed):
        fence = BulkStore().still_creating(batch)
        write_chunk(fence, drafts("blk", clock.now(), 4, hour=14)[2:], clock.now())
    assert statuses("blk") == ["cancelled", "cancelled"]


def test_a_series_chunk_cannot_land_after_its_series_was_rolled_back(
    client: Client, room: str, clock: FrozenClock
) -> None:
    # Given a series whose request stalled after its first chunk, rolled back by recovery
    series = crashed_series(clock.now())
    clock.advance(STUCK_AFTER + timedelta(minutes=1))
    wiring.recovery().recover()
    # When the stalled writer wakes up and writes its next chunk, Then the fence refuses it
    with pytest.raises(FenceFailed):
        fence = SeriesStore().still_creating(series)
        write_chunk(fence, drafts("occ", clock.now(), 4, series_id="s-1")[2:], clock.now())
    # And nothing of the series occupies the room
    assert statuses("occ") == ["cancelled", "cancelled"]
    assert occupancy() == []


class OverlappingRun(BulkStore):
    """Lists the stuck anchors, then lets another run finish them all before acting."""

    def __init__(self, other: AnchorRecovery) -> None:
        self.other = other

    def stuck(self, created_before: datetime, *, limit: int = 100) -> list[StuckAnchor]:
        found = super().stuck(created_before, limit=limit)
        self.other.recover()
        return found


def test_two_overlapping_runs_roll_back_each_anchor_once(
    client: Client, room: str, clock: FrozenClock
) -> None:
    crashed_series(clock.now())
    crashed_batch(clock.now())
    clock.advance(STUCK_AFTER + timedelta(minutes=1))
    repos = (SeriesStore(), ReservationStore(), clock)
    writer = BookingWriter(SequentialIds("r"))
    other = AnchorRecovery(BulkStore(), *repos, writer=writer)
    first = AnchorRecovery(OverlappingRun(other), *repos, writer=writer)
    # When a run acts on anchors another run already rolled back
    result = first.recover()
    # Then it skips them, and everything was cancelled exactly once
    assert result == {"series": 0, "batches": 0, "cancelled": 0, "skipped": 2}
    assert statuses("occ") == statuses("blk") == ["cancelled", "cancelled"]
    history = [
        i
        for i in boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
        if i.get("type", {}).get("S") == "reservation_history"
        and i.get("action", {}).get("S") == "cancelled"
    ]
    assert len(history) == 4
