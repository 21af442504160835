"""Idempotency-Key records, anchors (series, bulk) and fences: fake and real, same checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.bulk import BatchStatus, BulkBatch
from chalicelib.domain.reservations.series import Series, SeriesStatus
from chalicelib.store.reservations.anchors import StuckAnchor
from chalicelib.store.reservations.booking_tx import DuplicateRequest, FenceFailed
from chalicelib.store.reservations.idempotency import IdempotencyClaim
from chalicelib.store.reservations.writer import IdempotencyRecord
from tests.integration.contract.conftest import ROOM, T0, Ports, a_booking, a_reservation

CLAIM = IdempotencyClaim("u1", "key-1", "fingerprint-1")


def a_series(series_id: str = "s1", status: SeriesStatus = SeriesStatus.CREATING) -> Series:
    return Series(
        series_id=series_id,
        resource_id=ROOM,
        user_id="u1",
        rule="FREQ=DAILY;COUNT=2",
        first=TimeRange(T0, T0 + timedelta(hours=1)),
        status=status,
        created_at=T0,
        occurrence_ids=("r1", "r2"),
    )


def a_batch(batch_id: str = "b1", status: BatchStatus = BatchStatus.CREATING) -> BulkBatch:
    return BulkBatch(batch_id, "u1", status, T0, ("r1", "r2"))


# --- Idempotency-Key records --------------------------------------------------------------------


def test_a_create_records_its_key_and_a_second_use_is_a_duplicate(ports: Ports) -> None:
    # Given a create that commits its Idempotency-Key record
    ports.writer.create([a_booking(a_reservation("r1"))], record=IdempotencyRecord(CLAIM, "r1"))
    # Then the record names what it created
    found = ports.records.lookup(CLAIM, T0)
    assert found is not None
    assert (found.outcome, found.reservation_id, found.fingerprint) == (
        "created",
        "r1",
        "fingerprint-1",
    )
    # When a concurrent twin (another free slot) commits with the same key: DuplicateRequest
    with pytest.raises(DuplicateRequest):
        ports.writer.create(
            [a_booking(a_reservation("r2", T0 + timedelta(hours=3)))],
            record=IdempotencyRecord(CLAIM, "r2"),
        )
    # And nothing of the twin was written
    assert ports.reservations.get("r2") is None
    # And a 409 cannot be recorded over the live record
    assert ports.records.record_conflict(CLAIM, {"x": "y"}, T0) is False


def test_the_same_key_with_another_body_is_refused(ports: Ports) -> None:
    ports.writer.create([a_booking(a_reservation("r1"))], record=IdempotencyRecord(CLAIM, "r1"))
    other = IdempotencyClaim("u1", "key-1", "another-fingerprint")
    with pytest.raises(InvalidInput) as reused:
        ports.records.lookup(other, T0)
    assert reused.value.code == "idempotency_key_reused"


def test_keys_are_per_user(ports: Ports) -> None:
    ports.writer.create([a_booking(a_reservation("r1"))], record=IdempotencyRecord(CLAIM, "r1"))
    assert ports.records.lookup(IdempotencyClaim("u2", "key-1", "fingerprint-1"), T0) is None


def test_a_recorded_conflict_replays_its_details(ports: Ports) -> None:
    details = {"occurrences": [{"index": 1, "start_time": "2026-12-01T09:00:00.000Z"}]}
    assert ports.records.record_conflict(CLAIM, details, T0) is True
    found = ports.records.lookup(CLAIM, T0 + timedelta(hours=1))
    assert found is not None
    assert (found.outcome, found.reservation_id, found.details) == ("conflict", None, details)
    assert ports.records.record_conflict(CLAIM, {"other": 1}, T0) is False


def test_a_record_expires_after_a_day(ports: Ports) -> None:
    # Given a record from T0; When a day and a second have passed
    ports.writer.create([a_booking(a_reservation("r1"))], record=IdempotencyRecord(CLAIM, "r1"))
    later = T0 + timedelta(hours=24, seconds=1)
    # Then it is gone for readers, and the key may be used again
    assert ports.records.lookup(CLAIM, later) is None
    assert ports.records.record_conflict(CLAIM, {"a": "b"}, later) is True


# --- anchors --------------------------------------------------------------------------------------


def test_an_anchor_put_commits_with_the_bookings(ports: Ports) -> None:
    # Given a series written in one transaction with its occurrences and the key record
    series = a_series(status=SeriesStatus.ACTIVE)
    bookings = [a_booking(a_reservation("r1")), a_booking(a_reservation("r2", T0 + timedelta(1)))]
    ports.writer.create(
        bookings,
        record=IdempotencyRecord(CLAIM, "s1", "series"),
        extra=[ports.series.anchor_put(series)],
    )
    # Then the series and its occurrences read back, in start order
    assert ports.series.get("s1") == series
    assert [r.reservation_id for r in ports.series.occurrences(series)] == ["r1", "r2"]
    found = ports.records.lookup(CLAIM, T0)
    assert found is not None and (found.outcome, found.reservation_id) == ("series", "s1")


def test_an_anchor_put_is_refused_if_the_anchor_exists(ports: Ports) -> None:
    ports.batches.start(a_batch(), None)
    with pytest.raises(FenceFailed):
        ports.writer.create(
            [a_booking(a_reservation("r1"))], extra=[ports.batches.anchor_put(a_batch())]
        )
    assert ports.reservations.get("r1") is None


@pytest.mark.parametrize("kind", ["series", "bulk"])
def test_a_started_anchor_records_the_key_and_a_twin_is_a_duplicate(
    ports: Ports, kind: str
) -> None:
    # Given an anchor started `creating` with the key
    if kind == "series":
        ports.series.start(a_series(), CLAIM)
    else:
        ports.batches.start(a_batch(), CLAIM)
    # Then the key points at it
    found = ports.records.lookup(CLAIM, T0)
    assert found is not None and (found.outcome, found.reservation_id) == (
        kind,
        "s1" if kind == "series" else "b1",
    )
    # And a twin with the same key is a duplicate, and writes no anchor
    with pytest.raises(DuplicateRequest):
        if kind == "series":
            ports.series.start(a_series("s2"), CLAIM)
        else:
            ports.batches.start(a_batch("b2"), CLAIM)
    assert ports.series.get("s2") is None and ports.batches.get("b2") is None


def test_a_fence_lets_chunks_land_while_the_anchor_is_creating_only(ports: Ports) -> None:
    # Given a started series and its fence
    series = a_series()
    ports.series.start(series, None)
    fence = ports.series.still_creating(series)
    # When the first chunk carries the fence: it lands
    ports.writer.create([a_booking(a_reservation("r1"))], extra=[fence])
    assert ports.reservations.get("r1") is not None
    # When recovery settles the series, a later chunk with the same fence fails
    ports.series.transition(series, SeriesStatus.FAILED, T0, failure={"reason": "stuck"})
    with pytest.raises(FenceFailed):
        ports.writer.create([a_booking(a_reservation("r2", T0 + timedelta(1)))], extra=[fence])
    # And wrote nothing
    assert ports.reservations.get("r2") is None


def test_a_fence_fails_once_the_batch_moved_on(ports: Ports) -> None:
    batch = a_batch()
    ports.batches.start(batch, None)
    fence = ports.batches.still_creating(batch)
    ports.batches.transition(batch, BatchStatus.COMPLETE, T0, failure={})
    with pytest.raises(FenceFailed):
        ports.writer.create([a_booking(a_reservation("r1"))], extra=[fence])


def test_a_series_moves_on_only_from_the_version_it_was_read_at(ports: Ports) -> None:
    # Given a started series
    series = a_series()
    ports.series.start(series, None)
    # When it becomes active: the next version, read back as such
    active = ports.series.transition(series, SeriesStatus.ACTIVE, T0, failure={})
    assert active.version == series.version + 1
    assert ports.series.get("s1") == active
    # When the stale copy is failed: 409 series_changed, nothing changed
    with pytest.raises(Conflict) as changed:
        ports.series.transition(series, SeriesStatus.FAILED, T0, failure={"reason": "x"})
    assert changed.value.code == "series_changed"
    assert ports.series.get("s1") == active
    # And other fields move with the status
    cancelled = ports.series.transition(active, SeriesStatus.CANCELLED, T0, cancel_reason="why")
    assert ports.series.get("s1") == cancelled and cancelled.cancel_reason == "why"


def test_a_batch_moves_on_only_from_the_version_it_was_read_at(ports: Ports) -> None:
    batch = a_batch()
    ports.batches.start(batch, None)
    failed = ports.batches.transition(batch, BatchStatus.FAILED, T0, failure={"reason": "lost"})
    assert ports.batches.get("b1") == failed and failed.failure == {"reason": "lost"}
    with pytest.raises(Conflict) as changed:
        ports.batches.transition(batch, BatchStatus.COMPLETE, T0, failure={})
    assert changed.value.code == "batch_changed"


def test_a_missing_anchor_cannot_move_on(ports: Ports) -> None:
    with pytest.raises(Conflict) as changed:
        ports.batches.transition(a_batch("nope"), BatchStatus.FAILED, T0, failure={})
    assert changed.value.code == "batch_changed"


def test_stuck_lists_anchors_of_both_kinds_still_creating_before_the_cutoff(
    ports: Ports,
) -> None:
    # Given a creating series and batch from T0, and a batch that completed
    ports.series.start(a_series(), None)
    ports.batches.start(a_batch(), None)
    done = a_batch("b2")
    ports.batches.start(done, None)
    ports.batches.transition(done, BatchStatus.COMPLETE, T0, failure={})
    # Then a cutoff after T0 finds the two creating ones; one at T0 finds none
    found = ports.batches.stuck(T0 + timedelta(minutes=15))
    assert sorted(found, key=lambda a: a.kind) == [
        StuckAnchor("BULK", "b1"),
        StuckAnchor("SERIES", "s1"),
    ]
    assert ports.batches.stuck(T0) == []
