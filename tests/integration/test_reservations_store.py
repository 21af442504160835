"""The booking transaction under deterministic interleavings (moto, no HTTP).

`Interleaved` lets a competing write commit between our snapshot and our transaction: the
window in which a read-then-write design double-books. The day version items must make our
transaction fail and the retry must then see the competitor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest

from chalicelib.domain.errors import TooManyRequests
from chalicelib.domain.ids import SequentialIds
from chalicelib.domain.reservations import (
    Actor,
    HistoryEntry,
    Reservation,
    ReservationStatus,
    TimeRange,
)
from chalicelib.domain.reservations.conflicts import Buffers, ReservationConflict
from chalicelib.store.dynamo import TransactionCancelled
from chalicelib.store.reservations import booking_tx
from chalicelib.store.reservations.booking_tx import (
    BookingTransactions,
    DuplicateRequest,
    Snapshot,
    StaleItem,
)
from chalicelib.store.reservations.idempotency import IdempotencyClaim
from chalicelib.store.reservations.repository import ReservationStore
from chalicelib.store.reservations.writer import (
    Booking,
    BookingWriter,
    IdempotencyRecord,
    Move,
)

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
NO_BUFFERS = Buffers()


class Interleaved(BookingTransactions):
    """Runs `competitor` right after each of the first `times` snapshots."""

    def __init__(self, competitor: Callable[[int], None], times: int = 1) -> None:
        self.sleeps: list[float] = []
        super().__init__(sleep=self.sleeps.append, jitter=lambda: 0.5)
        self._competitor = competitor
        self._left = times
        self.snapshots = 0

    def snapshot(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> Snapshot:
        taken = super().snapshot(resource_id, windows, buffers, now)
        self.snapshots += 1
        if self._left > 0:
            self._left -= 1
            self._competitor(self.snapshots)
        return taken


def reservation(rid: str, start: datetime, hours: float = 1, user: str = "u1") -> Reservation:
    window = TimeRange(start, start + timedelta(hours=hours))
    return Reservation(rid, "res-1", user, window, ReservationStatus.ACTIVE, T0)


def created(user: str = "u1") -> HistoryEntry:
    return HistoryEntry(T0, user, "created")


READ = ReservationStore()


class Writer:
    """The booking writer, as these tests drive it: one reservation at a time."""

    def __init__(self, prefix: str, tx: BookingTransactions | None = None) -> None:
        self.writer = BookingWriter(SequentialIds(prefix), transactions=tx)

    def create(
        self,
        reservation: Reservation,
        entry: HistoryEntry,
        buffers: Buffers,
        claim: IdempotencyClaim | None = None,
        versions: dict[date, int | None] | None = None,
    ) -> Reservation:
        record = IdempotencyRecord(claim, reservation.reservation_id) if claim else None
        known = {reservation.resource_id: versions} if versions is not None else None
        self.writer.create(
            [Booking(reservation, entry, buffers)], record=record, known_versions=known
        )
        return reservation

    def reschedule(self, current: Reservation, moved: Reservation, buffers: Buffers) -> Reservation:
        change = current.reschedule(
            Actor("u1"),
            T0,
            resource_id=moved.resource_id,
            window=moved.window,
            status=moved.status,
            details={},
            override_by=None,
        )
        return self.writer.relocate(Move(change, buffers))

    def get(self, reservation_id: str) -> Reservation | None:
        return READ.get(reservation_id)


@pytest.fixture
def plain(aws: None) -> Writer:
    return Writer("h")


@pytest.fixture
def slots(aws: None) -> Iterator[Callable[[], list[str]]]:
    def occupied() -> list[str]:
        items = boto3.client("dynamodb").scan(TableName="reserver-main")["Items"]
        return sorted(i["SK"]["S"] for i in items if i["SK"]["S"].startswith("SLOT#"))

    yield occupied


def test_a_competitor_committing_after_our_read_makes_us_see_it(
    plain: Writer, slots: Callable[[], list[str]]
) -> None:
    # Given a competitor that books 09:30-10:30 right after our snapshot
    tx = Interleaved(
        lambda _: plain.create(
            reservation("rival", T0 + timedelta(minutes=30)), created(), NO_BUFFERS
        )
    )
    ours = Writer("o", tx)
    # When we book 09:00-10:00 on the (now stale) snapshot
    with pytest.raises(ReservationConflict) as refused:
        ours.create(reservation("mine", T0), created(), NO_BUFFERS)
    # Then our write failed on the day version, the re-read found the rival: one winner
    assert [o.reservation_id for o in refused.value.occupants] == ["rival"]
    assert tx.snapshots == 2
    assert slots() == ["SLOT#2026-12-01T09:30:00.000Z#rival"]
    assert ours.get("mine") is None


def test_a_same_day_non_overlapping_competitor_only_costs_a_retry(
    plain: Writer, slots: Callable[[], list[str]]
) -> None:
    tx = Interleaved(
        lambda _: plain.create(reservation("rival", T0 + timedelta(hours=3)), created(), NO_BUFFERS)
    )
    ours = Writer("o", tx)
    ours.create(reservation("mine", T0), created(), NO_BUFFERS)
    assert tx.snapshots == 2
    assert len(tx.sleeps) == 1 and tx.sleeps[0] < 0.01  # a few ms of jittered backoff
    assert len(slots()) == 2


def test_endless_contention_gives_up_with_429_after_bounded_attempts(
    plain: Writer,
) -> None:
    # Given a competitor that books another hour of the same day after every snapshot
    def compete(n: int) -> None:
        plain.create(reservation(f"rival-{n}", T0 + timedelta(hours=n + 1)), created(), NO_BUFFERS)

    tx = Interleaved(compete, times=100)
    ours = Writer("o", tx)
    with pytest.raises(TooManyRequests) as gave_up:
        ours.create(reservation("mine", T0), created(), NO_BUFFERS)
    assert gave_up.value.code == "booking_contention"
    assert tx.snapshots == booking_tx.MAX_ATTEMPTS
    assert sum(tx.sleeps) < 0.2


def test_a_genuine_conflict_is_answered_without_sleeping(
    plain: Writer,
) -> None:
    plain.create(reservation("first", T0), created(), NO_BUFFERS)
    tx = Interleaved(lambda _: None, times=0)
    with pytest.raises(ReservationConflict):
        Writer("o", tx).create(reservation("second", T0), created(), NO_BUFFERS)
    assert tx.sleeps == []


def test_a_stale_day_version_fails_the_transaction(plain: Writer) -> None:
    # Given one booking on the day (version 1), When a write still conditions on "absent"
    plain.create(reservation("first", T0), created(), NO_BUFFERS)
    stale = booking_tx.day_bumps("res-1", {T0.date(): None})
    # Then DynamoDB refuses it
    with pytest.raises(TransactionCancelled) as cancelled:
        booking_tx.transact(stale)
    assert cancelled.value.reasons == ["ConditionalCheckFailed"]


def test_a_concurrent_twin_with_the_same_key_is_detected(plain: Writer) -> None:
    # Given a twin request with the same Idempotency-Key that commits after our snapshot
    claim = IdempotencyClaim("u1", "key-1", "fp")
    twin = Writer("t")
    tx = Interleaved(
        lambda _: twin.create(
            reservation("twin", T0 + timedelta(hours=5)), created(), NO_BUFFERS, claim
        )
    )
    ours = Writer("o", tx)
    # When we commit with the same key, Then we learn it instead of booking a second time
    with pytest.raises(DuplicateRequest):
        ours.create(reservation("mine", T0), created(), NO_BUFFERS, claim)
    assert ours.get("mine") is None


def test_reschedule_racing_a_create_never_lets_both_win(
    plain: Writer, slots: Callable[[], list[str]]
) -> None:
    # Given our 09:00-10:00, and a rival that books 12:00-13:00 right after our snapshot
    ours_before = plain.create(reservation("mine", T0), created(), NO_BUFFERS)
    tx = Interleaved(
        lambda _: plain.create(reservation("rival", T0 + timedelta(hours=3)), created(), NO_BUFFERS)
    )
    mover = Writer("m", tx)
    moved = reservation("mine", T0 + timedelta(hours=3, minutes=30))
    # When we move to 12:30-13:30
    with pytest.raises(ReservationConflict):
        mover.reschedule(ours_before, moved, NO_BUFFERS)
    # Then the rival holds 12:00-13:00 and we still hold 09:00-10:00
    assert slots() == ["SLOT#2026-12-01T09:00:00.000Z#mine", "SLOT#2026-12-01T12:00:00.000Z#rival"]
    kept = plain.get("mine")
    assert kept is not None and kept.window == ours_before.window and kept.version == 0


def test_a_status_change_on_a_stale_copy_is_refused(plain: Writer) -> None:
    # Given a reservation that was rescheduled after we read it
    original = plain.create(reservation("mine", T0), created(), NO_BUFFERS)
    plain.reschedule(original, reservation("mine", T0 + timedelta(hours=2)), NO_BUFFERS)
    # When we cancel from the stale copy, Then it is refused and nothing is freed
    with pytest.raises(StaleItem):
        plain.writer.apply(original.cancel(Actor("u1"), T0))
    current = plain.get("mine")
    assert current is not None and current.status == ReservationStatus.ACTIVE


def test_buffers_widen_both_the_check_and_the_versioned_days(
    plain: Writer,
) -> None:
    # Given a booking ending at 23:50 with 20 min clean-up (its busy range reaches the next day)
    buffers = Buffers(after=timedelta(minutes=20))
    late = datetime(2026, 12, 1, 22, 50, tzinfo=UTC)
    plain.create(reservation("late", late), created(), buffers)
    # When someone books 00:05 the next day, Then the clean-up time still blocks it
    with pytest.raises(ReservationConflict):
        plain.create(
            reservation("early", late + timedelta(hours=1, minutes=15)), created(), buffers
        )
    plain.create(reservation("later", late + timedelta(hours=1, minutes=20)), created(), buffers)
