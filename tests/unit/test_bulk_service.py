"""BulkService on the in-memory fakes: dry run, refusal, all or nothing, compensation, cancel."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Conflict, RuleViolation
from chalicelib.domain.reservations import ReservationStatus
from chalicelib.domain.reservations.bulk import BatchStatus
from chalicelib.domain.reservations.conflicts import ReservationConflict
from chalicelib.services.reservations.bulk_checks import BulkItem, BulkRequest
from tests.unit.reservation_services_kit import (
    HALL,
    ROOM,
    Services,
    a_room,
    a_user,
    an_admin,
    at,
    services,
)

ALICE, BOB = a_user("alice"), a_user("bob")
LONG = 30  # items on distinct days: two transactions (24 + 6)


def item(day: int, hour: float = 10, resource_id: str = ROOM) -> BulkItem:
    return BulkItem(resource_id, at(day, hour), at(day, hour + 1))


def bulk(*items: BulkItem, dry_run: bool = False) -> BulkRequest:
    return BulkRequest(tuple(items), dry_run=dry_run)


def many_days(count: int) -> BulkRequest:
    return bulk(*(item(day) for day in range(1, count + 1)))


def two_rooms() -> Services:
    return services(a_room(), a_room(HALL))


def test_items_on_several_resources_are_booked_together() -> None:
    # Given two free rooms
    s = two_rooms()
    # When alice books three windows across them
    result = s.bulk.create(ALICE, bulk(item(1), item(1, resource_id=HALL), item(2)))
    # Then all three are booked in one transaction with a complete batch
    assert result.ok and not result.dry_run
    assert [r.resource_id for r in result.reservations] == [ROOM, HALL, ROOM]
    assert result.batch is not None and result.batch.status == BatchStatus.COMPLETE
    assert s.world.table.writes == 1
    assert len(s.occupying(ROOM)) == 2 and len(s.occupying(HALL)) == 1


def test_a_dry_run_reports_each_item_and_writes_nothing() -> None:
    # Given bob holds day 2 at 10:00
    s = services()
    s.someone_books(at(2, 10))
    # When alice dry-runs days 1 and 2
    result = s.bulk.create(ALICE, bulk(item(1), item(2), dry_run=True))
    # Then item 1 is fine, item 2 conflicts, and nothing was written
    assert result.dry_run and not result.ok
    assert [o.error.code if o.error else None for o in result.outcomes] == [
        None,
        "reservation_conflict",
    ]
    assert s.world.table.writes == 0


def test_one_taken_item_refuses_the_request_naming_it() -> None:
    s = services()
    s.someone_books(at(2, 10.5))
    with pytest.raises(ReservationConflict) as refused:
        s.bulk.create(ALICE, bulk(item(1), item(2), item(3)))
    items = refused.value.details_for(ALICE)["items"]
    assert [i["index"] for i in items] == [1]
    assert "reservation_id" not in items[0]["conflicts"][0]
    assert s.world.table.writes == 0


def test_problems_of_several_kinds_are_a_422_listing_every_item() -> None:
    # Given an item in the past and two items overlapping each other
    s = services()
    request = bulk(item(-1), item(1), item(1, hour=10.5))
    with pytest.raises(RuleViolation) as refused:
        s.bulk.create(ALICE, request)
    assert refused.value.code == "bulk_rejected"
    codes = {i["index"]: i["code"] for i in refused.value.details["items"]}
    assert codes == {0: "start_in_past", 1: "overlaps_item", 2: "overlaps_item"}
    assert s.world.table.writes == 0


def test_a_large_request_is_written_in_fenced_chunks() -> None:
    s = services()
    result = s.bulk.create(ALICE, many_days(LONG), "key-1")
    assert result.ok and len(result.reservations) == LONG
    assert s.world.table.writes == 4  # start, two chunks, complete
    assert result.batch is not None and result.batch.status == BatchStatus.COMPLETE


def test_a_later_chunk_that_loses_a_race_rolls_everything_back() -> None:
    # Given bob books day 28 just before the second chunk is written
    s = services()

    def bob_books_day_28() -> None:
        s.someone_books(at(28, 10))

    s.world.table.before_write[3] = bob_books_day_28
    # When alice's large request is written
    with pytest.raises(ReservationConflict) as refused:
        s.bulk.create(ALICE, many_days(LONG))
    # Then the 409 names item 27, and the first chunk is cancelled again
    assert [i["index"] for i in refused.value.details_for(ALICE)["items"]] == [27]
    assert [r.reservation_id for r in s.occupying()] == ["rival"]
    [batch] = s.world.table.anchors.values()
    assert batch.status == BatchStatus.FAILED and batch.failure["items"][0]["index"] == 27


def test_a_batch_settled_by_recovery_meanwhile_is_interrupted_and_undone() -> None:
    s = services()

    def recovery_runs() -> None:
        assert s.recovery_runs()["batches"] == 1

    s.world.table.before_write[3] = recovery_runs
    with pytest.raises(Conflict) as interrupted:
        s.bulk.create(ALICE, many_days(LONG))
    assert interrupted.value.code == "bulk_interrupted"
    assert s.occupying() == []


def test_a_retry_with_the_key_replays_the_batch() -> None:
    s = services()
    first = s.bulk.create(ALICE, bulk(item(1), item(2)), "key-1")
    again = s.bulk.create(ALICE, bulk(item(1), item(2)), "key-1")
    assert again.replayed and again.reservations == first.reservations
    assert len(s.occupying()) == 2


def test_recovery_rolls_back_a_batch_its_writer_abandoned() -> None:
    # Given a request that died after its first chunk (nothing rolled it back)
    s = services()

    def die_without_cleanup() -> None:
        s.world.table.before_write[4] = die_without_cleanup  # the rollback dies too
        raise RuntimeError("lambda timed out")

    s.world.table.before_write[3] = die_without_cleanup
    with pytest.raises(RuntimeError):
        s.bulk.create(ALICE, many_days(LONG))
    assert len(s.occupying()) == 24
    # When the recovery job runs 20 minutes later
    s.world.table.before_write.clear()
    s.clock.set(at(0, 8.5))
    counts = s.recovery.recover()
    # Then the written chunk is cancelled and the batch failed
    assert counts == {"series": 0, "batches": 1, "cancelled": 24, "skipped": 0}
    assert s.occupying() == []


def test_cancel_many_reports_each_reservation() -> None:
    # Given alice's two bookings (one already cancelled) and bob's one
    s = services()
    mine = s.bulk.create(ALICE, bulk(item(1), item(2))).reservations
    s.bulk.cancel(ALICE, [mine[1].reservation_id], "x")
    bobs = s.someone_books(at(3, 10))
    # When alice cancels all three and an unknown id
    ids = [mine[0].reservation_id, mine[1].reservation_id, bobs.reservation_id, "nope"]
    outcomes = s.bulk.cancel(ALICE, ids, "clean up")
    # Then hers is cancelled, the cancelled one reported, bob's does not exist for her
    assert [o.outcome for o in outcomes] == [
        "cancelled",
        "already_cancelled",
        "not_found",
        "not_found",
    ]
    assert s.occupying() == [bobs]


def test_an_admin_cancels_on_behalf_of_the_owner() -> None:
    s = services()
    [booked] = s.bulk.create(BOB, bulk(item(1))).reservations
    [outcome] = s.bulk.cancel(an_admin(), [booked.reservation_id], "closing")
    assert outcome.outcome == "cancelled"
    assert outcome.reservation is not None
    assert outcome.reservation.status == ReservationStatus.CANCELLED
    assert s.world.table.history[booked.reservation_id][-1].details == {"on_behalf_of": "owner"}
