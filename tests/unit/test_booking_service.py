"""BookingService on the in-memory fakes: create, 409, Idempotency-Key, reschedule, cancel."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from chalicelib.domain.reservations import InvalidTransition, ReservationStatus, TimeRange
from chalicelib.domain.reservations.conflicts import ReservationConflict
from chalicelib.services.reservations.booking import BookingRequest, RescheduleRequest
from tests.unit.reservation_services_kit import (
    HALL,
    ROOM,
    a_room,
    a_user,
    an_admin,
    at,
    services,
)

ALICE, BOB = a_user("alice"), a_user("bob")


def tomorrow(hour: float, hours: float = 1, resource_id: str = ROOM) -> BookingRequest:
    return BookingRequest(resource_id, at(1, hour), at(1, hour + hours))


def test_a_free_slot_is_booked_and_logged() -> None:
    # Given a room with nothing booked
    s = services()
    # When alice books tomorrow 10:00-11:00
    result = s.booking.create(ALICE, tomorrow(10))
    # Then she holds it, active, with its creation in the history
    booked = result.reservation
    assert (booked.user_id, booked.status, booked.window) == (
        "user-alice",
        ReservationStatus.ACTIVE,
        TimeRange(at(1, 10), at(1, 11)),
    )
    assert not result.replayed
    assert s.occupying() == [booked]
    [entry] = s.world.table.history[booked.reservation_id]
    assert (entry.action, entry.actor_id, entry.details["status"]) == (
        "created",
        "user-alice",
        "active",
    )


def test_a_resource_that_needs_approval_gets_a_pending_request_that_occupies() -> None:
    s = services(replace(a_room(), requires_approval=True))
    booked = s.booking.create(ALICE, tomorrow(10)).reservation
    assert booked.status == ReservationStatus.PENDING_APPROVAL
    # A competing request queues beside it (approving one rejects the other: approvals.md)
    rival = s.booking.create(BOB, tomorrow(10, 0.5)).reservation
    assert rival.status == ReservationStatus.PENDING_APPROVAL
    # But the pending requests hold the slot against a confirmed booking
    s.world.catalog.add(a_room())
    with pytest.raises(ReservationConflict):
        s.booking.create(BOB, tomorrow(10, 0.5))


def test_a_taken_slot_is_a_409_that_shows_others_only_times() -> None:
    # Given bob's booking 10:00-11:00
    s = services()
    bobs = s.booking.create(BOB, tomorrow(10)).reservation
    # When alice asks for 10:30-11:30
    with pytest.raises(ReservationConflict) as refused:
        s.booking.create(ALICE, tomorrow(10.5))
    # Then the 409 names the clash by its times only (bob's id is not hers to see)
    assert refused.value.details_for(ALICE) == {
        "conflicts": [
            {"start_time": "2026-11-25T10:00:00.000Z", "end_time": "2026-11-25T11:00:00.000Z"}
        ]
    }
    # While bob and admins see which reservation it is
    assert refused.value.details_for(BOB)["conflicts"][0]["reservation_id"] == bobs.reservation_id
    # And nothing of alice's was written
    assert s.occupying() == [bobs]


def test_back_to_back_bookings_are_fine() -> None:
    s = services()
    s.booking.create(BOB, tomorrow(10))
    s.booking.create(ALICE, tomorrow(11))
    assert len(s.occupying()) == 2


def test_buffers_keep_the_next_booking_away() -> None:
    # Given a room that needs 30 minutes after each booking, booked 10:00-11:00
    s = services(a_room(buffer_after=timedelta(minutes=30)))
    s.booking.create(BOB, tomorrow(10))
    # Then 11:15 is refused and 11:30 is fine
    with pytest.raises(ReservationConflict):
        s.booking.create(ALICE, tomorrow(11.25))
    s.booking.create(ALICE, tomorrow(11.5))


def test_a_broken_rule_is_a_422_and_writes_nothing() -> None:
    s = services()
    with pytest.raises(RuleViolation) as refused:
        s.booking.create(ALICE, BookingRequest(ROOM, at(-1, 10), at(-1, 11)))
    assert refused.value.code == "start_in_past"
    assert s.world.table.writes == 0


def test_only_admins_may_override_the_rules() -> None:
    s = services()
    request = replace(tomorrow(10), override=True)
    with pytest.raises(Forbidden):
        s.booking.create(ALICE, request)
    assert s.booking.create(an_admin(), request).reservation.override_by is None


def test_an_unknown_resource_is_a_404() -> None:
    with pytest.raises(NotFound) as missing:
        services().booking.create(ALICE, tomorrow(10, resource_id="nope"))
    assert missing.value.code == "resource_not_found"


# --- Idempotency-Key -------------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_the_first_booking() -> None:
    # Given alice booked with an Idempotency-Key
    s = services()
    first = s.booking.create(ALICE, tomorrow(10), "key-1")
    # When the same request comes again with the key
    again = s.booking.create(ALICE, tomorrow(10), "key-1")
    # Then it answers the first booking, replayed, and books nothing more
    assert again.replayed and again.reservation == first.reservation
    assert len(s.occupying()) == 1


def test_the_same_key_with_another_request_is_refused() -> None:
    s = services()
    s.booking.create(ALICE, tomorrow(10), "key-1")
    with pytest.raises(InvalidInput) as reused:
        s.booking.create(ALICE, tomorrow(14), "key-1")
    assert reused.value.code == "idempotency_key_reused"


def test_a_refused_request_is_refused_the_same_way_on_retry() -> None:
    # Given alice's keyed request refused because bob holds the slot
    s = services()
    bobs = s.booking.create(BOB, tomorrow(10)).reservation
    with pytest.raises(ReservationConflict) as first:
        s.booking.create(ALICE, tomorrow(10), "key-1")
    # When bob cancels and alice retries with the same key
    s.booking.cancel(BOB, bobs.reservation_id, "freed")
    with pytest.raises(Conflict) as again:
        s.booking.create(ALICE, tomorrow(10), "key-1")
    # Then she gets the same 409 (the outcome is recorded under the key), and holds nothing
    assert again.value.code == "reservation_conflict"
    assert again.value.details == first.value.details_for(ALICE)
    assert s.occupying() == []


def test_a_twin_that_committed_first_is_replayed() -> None:
    # Given a concurrent twin with the same key commits just before our write
    s = services()

    def twin() -> None:
        s.booking.create(ALICE, tomorrow(10), "key-1")

    s.world.table.before_write[1] = twin
    # When our request writes, it finds the slot taken by the twin
    result = s.booking.create(ALICE, tomorrow(10), "key-1")
    # Then it answers the twin's booking
    assert result.replayed
    assert s.occupying() == [result.reservation]


# --- reschedule ------------------------------------------------------------------------------


def test_a_reservation_is_rescheduled_and_the_old_slot_freed() -> None:
    # Given alice's 10:00-11:00
    s = services()
    booked = s.booking.create(ALICE, tomorrow(10)).reservation
    # When she moves it to 14:00-15:00
    moved = s.booking.reschedule(
        ALICE, booked.reservation_id, RescheduleRequest(at(1, 14), at(1, 15))
    )
    # Then it holds the new window at the next version; 10:00 is free for bob
    assert (moved.window.start, moved.version) == (at(1, 14), 1)
    assert [e.action for e in s.world.table.history[booked.reservation_id]] == [
        "created",
        "rescheduled",
    ]
    s.booking.create(BOB, tomorrow(10))


def test_a_reschedule_may_overlap_its_own_old_window() -> None:
    s = services()
    booked = s.booking.create(ALICE, tomorrow(10)).reservation
    moved = s.booking.reschedule(
        ALICE, booked.reservation_id, RescheduleRequest(at(1, 10.5), at(1, 11.5))
    )
    assert s.occupying() == [moved]


def test_a_reschedule_onto_someone_else_is_a_409() -> None:
    s = services()
    s.booking.create(BOB, tomorrow(14))
    booked = s.booking.create(ALICE, tomorrow(10)).reservation
    with pytest.raises(ReservationConflict):
        s.booking.reschedule(ALICE, booked.reservation_id, RescheduleRequest(at(1, 14), at(1, 15)))
    assert s.world.table.reservations[booked.reservation_id] == booked


def test_a_reschedule_to_another_resource_moves_it_there() -> None:
    s = services(a_room(), a_room(HALL))
    booked = s.booking.create(ALICE, tomorrow(10)).reservation
    moved = s.booking.reschedule(
        ALICE, booked.reservation_id, RescheduleRequest(at(1, 10), at(1, 11), resource_id=HALL)
    )
    assert moved.resource_id == HALL
    assert s.occupying(ROOM) == [] and s.occupying(HALL) == [moved]


# --- cancel and invalid transitions ------------------------------------------------------------


def test_a_cancelled_reservation_frees_its_slot() -> None:
    s = services()
    booked = s.booking.create(ALICE, tomorrow(10)).reservation
    cancelled = s.booking.cancel(ALICE, booked.reservation_id, "plans changed")
    assert (cancelled.status, cancelled.cancel_reason) == (
        ReservationStatus.CANCELLED,
        "plans changed",
    )
    assert s.occupying() == []


def test_cancelling_twice_is_a_409_already_cancelled() -> None:
    s = services()
    booked = s.booking.create(ALICE, tomorrow(10)).reservation
    s.booking.cancel(ALICE, booked.reservation_id, "x")
    with pytest.raises(InvalidTransition) as refused:
        s.booking.cancel(ALICE, booked.reservation_id, "again")
    assert refused.value.code == "already_cancelled"


def test_a_cancelled_reservation_cannot_be_rescheduled() -> None:
    s = services()
    booked = s.booking.create(ALICE, tomorrow(10)).reservation
    s.booking.cancel(ALICE, booked.reservation_id, "x")
    with pytest.raises(InvalidTransition) as refused:
        s.booking.reschedule(ALICE, booked.reservation_id, RescheduleRequest(at(1, 14), at(1, 15)))
    assert refused.value.code == "not_reschedulable"
    assert refused.value.details["status"] == "cancelled"


def test_someone_elses_reservation_does_not_exist_for_you() -> None:
    s = services()
    bobs = s.booking.create(BOB, tomorrow(10)).reservation
    with pytest.raises(NotFound):
        s.booking.cancel(ALICE, bobs.reservation_id, "mine now")
    on_behalf = s.booking.cancel(an_admin(), bobs.reservation_id, "closing")
    assert s.world.table.history[bobs.reservation_id][-1].details == {"on_behalf_of": "owner"}
    assert on_behalf.status == ReservationStatus.CANCELLED


def test_a_cancel_racing_a_reschedule_decides_again_on_the_fresh_copy() -> None:
    # Given alice's booking, moved by another request between our read and our write
    s = services()
    booked = s.booking.create(ALICE, tomorrow(10)).reservation

    def moved_meanwhile() -> None:
        s.booking.reschedule(ALICE, booked.reservation_id, RescheduleRequest(at(1, 14), at(1, 15)))

    s.world.table.before_write[s.world.table.writes + 1] = moved_meanwhile
    # When the cancel writes on its stale copy
    cancelled = s.booking.cancel(ALICE, booked.reservation_id, "x")
    # Then it re-reads and cancels the moved reservation (version 2)
    assert (cancelled.status, cancelled.window.start, cancelled.version) == (
        ReservationStatus.CANCELLED,
        at(1, 14),
        2,
    )
