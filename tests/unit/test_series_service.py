"""SeriesService on the in-memory fakes: all or nothing, skip_conflicts, compensation, fences."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Conflict, RuleViolation
from chalicelib.domain.reservations import ReservationStatus
from chalicelib.domain.reservations.conflicts import ReservationConflict
from chalicelib.domain.reservations.series import SeriesStatus
from chalicelib.services.reservations.series import SeriesRequest
from tests.unit.reservation_services_kit import ROOM, Services, a_user, at, services

ALICE = a_user("alice")
LONG = 40  # daily occurrences that need two transactions (24 + 16)


def daily(count: int, hour: float = 10, policy: str = "all_or_nothing") -> SeriesRequest:
    rule = f"FREQ=DAILY;COUNT={count}"
    return SeriesRequest(ROOM, at(1, hour), at(1, hour + 1), rrule=rule, conflict_policy=policy)


def cancelled_all(s: Services) -> bool:
    return all(r.status == ReservationStatus.CANCELLED for r in s.world.table.reservations.values())


def test_a_series_books_every_occurrence_in_one_go() -> None:
    # Given a free room
    s = services()
    # When alice books 3 daily occurrences
    result = s.series.create(ALICE, daily(3))
    # Then the series is active and holds 3 consecutive days, written in one transaction
    assert result.series.status == SeriesStatus.ACTIVE
    assert [r.window.start for r in result.occurrences] == [at(1, 10), at(2, 10), at(3, 10)]
    assert s.occupying() == result.occurrences
    assert s.world.table.writes == 1
    assert s.world.series.get(result.series.series_id) == result.series


def test_a_long_series_is_written_in_fenced_chunks_and_ends_active() -> None:
    s = services()
    result = s.series.create(ALICE, daily(LONG), "key-1")
    # start (creating + key), two chunks, then active
    assert s.world.table.writes == 4
    stored = s.world.series.get(result.series.series_id)
    assert stored is not None and stored.status == SeriesStatus.ACTIVE
    assert len(s.occupying()) == LONG


def test_one_taken_occurrence_refuses_the_whole_series_naming_it() -> None:
    # Given bob holds the third day at 10:30
    s = services()
    s.someone_books(at(3, 10.5))
    # When alice asks for 5 daily occurrences at 10:00
    with pytest.raises(ReservationConflict) as refused:
        s.series.create(ALICE, daily(5))
    # Then the 409 names occurrence 2 (the third), by its times only, and nothing was written
    details = refused.value.details_for(ALICE)
    assert [o["occurrence"] for o in details["occurrences"]] == [2]
    assert "reservation_id" not in details["occurrences"][0]["conflicts"][0]
    assert s.world.table.writes == 0
    assert s.world.table.anchors == {}


def test_skip_conflicts_leaves_out_the_taken_occurrences_and_reports_them() -> None:
    s = services()
    s.someone_books(at(2, 10))
    result = s.series.create(ALICE, daily(3, policy="skip_conflicts"))
    assert [r.window.start for r in result.occurrences] == [at(1, 10), at(3, 10)]
    assert [skipped["occurrence"] for skipped in result.skipped] == [1]
    assert result.series.exdates == ("2026-11-26T10:00:00.000Z",)


def test_occurrences_that_overlap_each_other_are_a_422() -> None:
    s = services()
    request = SeriesRequest(ROOM, at(1, 10), at(1, 36), rrule="FREQ=DAILY;COUNT=2")
    with pytest.raises(RuleViolation) as refused:
        s.series.create(ALICE, request)
    assert refused.value.code == "series_self_overlap"


def test_a_later_chunk_that_loses_a_race_rolls_the_whole_series_back() -> None:
    # Given bob books day 31 after the pre-check, just before the second chunk is written
    s = services()

    def bob_books_day_31() -> None:
        s.someone_books(at(31, 10))

    s.world.table.before_write[3] = bob_books_day_31
    # When alice's long series is written
    with pytest.raises(Conflict) as refused:
        s.series.create(ALICE, daily(LONG), "key-1")
    # Then she gets the 409 naming occurrence 30 (as recorded on the failed series: the key
    # points at it), and holds nothing
    assert refused.value.code == "reservation_conflict"
    assert [o["occurrence"] for o in refused.value.details["occurrences"]] == [30]
    assert [r.reservation_id for r in s.occupying()] == ["rival"]
    mine = [r for r in s.world.table.reservations.values() if r.user_id == "user-alice"]
    assert len(mine) == 24 and all(r.status == ReservationStatus.CANCELLED for r in mine)
    # And the series is stored failed with the conflict
    [series] = s.world.table.anchors.values()
    assert series.status == SeriesStatus.FAILED and "occurrences" in series.failure
    # And a retry with the key replays the 409
    with pytest.raises(Conflict) as replayed:
        s.series.create(ALICE, daily(LONG), "key-1")
    assert replayed.value.details == refused.value.details


def test_a_series_settled_by_recovery_meanwhile_is_interrupted_and_undone() -> None:
    # Given the recovery job settles the series between its first and second chunk
    s = services()

    def recovery_runs() -> None:
        assert s.recovery_runs()["series"] == 1

    s.world.table.before_write[3] = recovery_runs
    # When alice's long series is written
    with pytest.raises(Conflict) as interrupted:
        s.series.create(ALICE, daily(LONG))
    # Then the fence stops the second chunk, the first is cancelled, the answer is retryable
    assert interrupted.value.code == "series_interrupted"
    assert s.occupying() == []
    assert cancelled_all(s)
    [series] = s.world.table.anchors.values()
    assert series.status == SeriesStatus.FAILED  # as recovery left it


def test_a_retry_with_the_key_replays_the_series() -> None:
    s = services()
    first = s.series.create(ALICE, daily(3), "key-1")
    writes = s.world.table.writes
    again = s.series.create(ALICE, daily(3), "key-1")
    assert again.replayed and again.series == first.series
    assert again.occurrences == first.occurrences
    assert s.world.table.writes == writes


def test_a_write_that_fails_midway_is_rolled_back_and_replayed_as_failed() -> None:
    # Given the first request died after starting its series (nothing else written)
    s = services()

    def crash() -> None:
        raise RuntimeError("lambda timed out")

    s.world.table.before_write[2] = crash
    with pytest.raises(RuntimeError):
        s.series.create(ALICE, daily(LONG), "key-1")
    s.world.table.before_write.clear()
    # Then the series was rolled back by the writer (failed), and a retry replays that
    with pytest.raises(Conflict) as retried:
        s.series.create(ALICE, daily(LONG), "key-1")
    assert retried.value.code == "reservation_conflict"


def test_cancelling_a_series_cancels_the_occurrences_not_started_yet() -> None:
    # Given a 4-day series, and the clock after the second occurrence
    s = services()
    created = s.series.create(ALICE, daily(4))
    s.clock.set(at(2, 12))
    # When alice cancels the series
    result = s.series.cancel(ALICE, created.series.series_id, "course ended")
    # Then the past ones stay, the future ones are cancelled, the series is cancelled
    assert result.series.status == SeriesStatus.CANCELLED
    assert [r.status for r in result.occurrences] == [
        ReservationStatus.ACTIVE,
        ReservationStatus.ACTIVE,
        ReservationStatus.CANCELLED,
        ReservationStatus.CANCELLED,
    ]
    with pytest.raises(Conflict) as again:
        s.series.cancel(ALICE, created.series.series_id, "twice")
    assert again.value.code == "already_cancelled"


def test_a_long_series_is_cancelled_in_several_transactions() -> None:
    s = services()
    created = s.series.create(ALICE, daily(LONG))
    s.series.cancel(ALICE, created.series.series_id, "all of it")
    assert s.occupying() == []
    assert len(s.world.table.reservations) == LONG
