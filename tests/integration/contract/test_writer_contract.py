"""The booking writer and the reservation reads: the fake and the real adapter, same checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.reservations import Changed, Reservation, ReservationStatus, TimeRange
from chalicelib.domain.reservations.conflicts import Buffers, Occupant, ReservationConflict
from chalicelib.store.reservations.booking_tx import StaleItem
from chalicelib.store.reservations.writer import Booking, Move
from tests.integration.contract.conftest import (
    OWNER,
    ROOM,
    T0,
    Ports,
    a_booking,
    a_reservation,
    a_resource,
)


def cancel_if_occupying(current: Reservation) -> Changed | None:
    return current.cancel(OWNER, T0, "done") if current.occupies else None


def test_created_reservations_read_back_one_by_one_and_in_order(ports: Ports) -> None:
    # Given two bookings created in one call
    first, second = a_reservation("r1"), a_reservation("r2", T0 + timedelta(hours=2))
    ports.writer.create([a_booking(first), a_booking(second)])
    # Then each reads back as written, get_many keeps the order asked (duplicates once)
    assert ports.reservations.get("r1") == first
    assert ports.reservations.get("missing") is None
    assert ports.reservations.get_many(["r2", "missing", "r1", "r2"]) == [second, first]
    # And each has its creation entry in its history
    entries, last = ports.reservations.history("r1", limit=10, start_key=None)
    assert [(e.action, e.actor_id, e.details) for e in entries] == [
        ("created", "u1", {"by": "contract"})
    ]
    assert last is None


def test_an_overlap_is_refused_with_the_clashes_indexed_by_booking(ports: Ports) -> None:
    # Given r1 at 09:00-10:00
    ports.writer.create([a_booking(a_reservation("r1"))])
    # When a call books a free slot (index 0) and one overlapping r1 (index 1)
    free = a_reservation("free", T0 + timedelta(hours=3))
    clash = a_reservation("clash", T0 + timedelta(minutes=30), user="u2")
    with pytest.raises(ReservationConflict) as refused:
        ports.writer.create([a_booking(free), a_booking(clash)])
    # Then only index 1 clashes, with r1, and nothing of the call was written
    assert list(refused.value.clashes) == [1]
    assert [o.reservation_id for o in refused.value.clashes[1]] == ["r1"]
    assert ports.reservations.get_many(["free", "clash"]) == []


def test_buffers_widen_the_check(ports: Ports) -> None:
    # Given r1 at 09:00-10:00 on a room with 15 minutes after each booking
    buffers = Buffers(timedelta(0), timedelta(minutes=15))
    ports.writer.create([a_booking(a_reservation("r1"), buffers)])
    # When r2 starts 10 minutes after r1 ends: refused
    with pytest.raises(ReservationConflict):
        ports.writer.create([a_booking(a_reservation("r2", T0 + timedelta(minutes=70)), buffers)])
    # Then 15 minutes after is fine
    ports.writer.create([a_booking(a_reservation("r3", T0 + timedelta(minutes=75)), buffers)])
    assert ports.reservations.get("r3") is not None


def test_back_to_back_bookings_are_allowed(ports: Ports) -> None:
    ports.writer.create([a_booking(a_reservation("r1"))])
    ports.writer.create([a_booking(a_reservation("r2", T0 + timedelta(hours=1)))])
    assert len(ports.reservations.get_many(["r1", "r2"])) == 2


def test_the_same_window_on_another_resource_is_free(ports: Ports) -> None:
    ports.writer.create([a_booking(a_reservation("r1"))])
    ports.writer.create([a_booking(a_reservation("r2", resource_id="res-2"))])
    assert len(ports.reservations.get_many(["r1", "r2"])) == 2


def test_an_existing_reservation_id_is_refused_as_stale(ports: Ports) -> None:
    ports.writer.create([a_booking(a_reservation("r1"))])
    with pytest.raises(StaleItem):
        ports.writer.create([a_booking(a_reservation("r1", T0 + timedelta(hours=5)))])


def test_apply_commits_a_transition_once_and_frees_the_slot(ports: Ports) -> None:
    # Given r1, cancelled
    r1 = a_reservation("r1")
    ports.writer.create([a_booking(r1)])
    change = r1.cancel(OWNER, T0, "plans changed")
    after = ports.writer.apply(change)
    # Then it reads back cancelled at the next version, with the entry in its history
    assert after.status == ReservationStatus.CANCELLED and after.version == 1
    assert ports.reservations.get("r1") == after
    entries, _ = ports.reservations.history("r1", limit=10, start_key=None)
    assert [e.action for e in entries] == ["created", "cancelled"]
    # And the same change again is stale (the version moved on)
    with pytest.raises(StaleItem):
        ports.writer.apply(change)
    # And the slot is free again
    ports.writer.create([a_booking(a_reservation("r2"))])


def test_apply_refuses_a_transition_from_a_status_it_cannot_start_from(ports: Ports) -> None:
    # Given r1 cancelled (version 1); When a copy at version 1 claims it is active
    r1 = a_reservation("r1")
    ports.writer.create([a_booking(r1)])
    cancelled = ports.writer.apply(r1.cancel(OWNER, T0, "x"))
    forged = Reservation(**{**cancelled.__dict__, "status": ReservationStatus.ACTIVE})
    # Then cancelling it again fails the status condition
    with pytest.raises(StaleItem):
        ports.writer.apply(forged.cancel(OWNER, T0, "again"))


def test_apply_many_redoes_a_stale_change_from_a_fresh_read(ports: Ports) -> None:
    # Given r1 and r2, and r2 moved meanwhile (its copy is stale)
    r1, r2 = a_reservation("r1"), a_reservation("r2", T0 + timedelta(hours=2))
    ports.writer.create([a_booking(r1), a_booking(r2)])
    moved = ports.writer.relocate(
        Move(
            r2.reschedule(
                OWNER,
                T0,
                resource_id=r2.resource_id,
                window=TimeRange(T0 + timedelta(hours=4), T0 + timedelta(hours=5)),
                status=ReservationStatus.ACTIVE,
                details={},
                override_by=None,
            ),
            Buffers(),
        )
    )
    # When both are cancelled from the old copies
    done = ports.writer.apply_many(
        [r1.cancel(OWNER, T0, "done"), r2.cancel(OWNER, T0, "done")],
        cancel_if_occupying,
        ports.reservations.get,
    )
    # Then both are cancelled, r2 from its fresh version
    assert sorted(r.reservation_id for r in done) == ["r1", "r2"]
    latest = ports.reservations.get("r2")
    assert latest is not None and latest.status == ReservationStatus.CANCELLED
    assert latest.version == moved.version + 1


def test_apply_many_skips_what_the_redo_declines(ports: Ports) -> None:
    # Given r1 cancelled already by someone else
    r1 = a_reservation("r1")
    ports.writer.create([a_booking(r1)])
    ports.writer.apply(r1.cancel(OWNER, T0, "first"))
    # When a stale cancel of it is applied in bulk: the redo sees it no longer occupies
    done = ports.writer.apply_many(
        [r1.cancel(OWNER, T0, "second")],
        cancel_if_occupying,
        ports.reservations.get,
    )
    assert done == []
    latest = ports.reservations.get("r1")
    assert latest is not None and latest.cancel_reason == "first"


def test_relocate_ignores_its_own_slot_but_not_others(ports: Ports) -> None:
    # Given r1 09:00-10:00 and r2 11:00-12:00
    r1, r2 = a_reservation("r1"), a_reservation("r2", T0 + timedelta(hours=2))
    ports.writer.create([a_booking(r1), a_booking(r2)])

    def move(current: Reservation, hours: float) -> Move:
        start = T0 + timedelta(hours=hours)
        window = TimeRange(start, start + timedelta(hours=1))
        change = current.reschedule(
            OWNER,
            T0,
            resource_id=ROOM_OF[current.reservation_id],
            window=window,
            status=ReservationStatus.ACTIVE,
            details={},
            override_by=None,
        )
        return Move(change, Buffers())

    ROOM_OF = {"r1": r1.resource_id}
    # When r1 moves by 30 minutes (overlapping only itself): fine
    moved = ports.writer.relocate(move(r1, 0.5))
    assert ports.reservations.get("r1") == moved
    # When it moves onto r2: refused, clash at index 0
    with pytest.raises(ReservationConflict) as refused:
        ports.writer.relocate(move(moved, 2))
    assert [o.reservation_id for o in refused.value.clashes[0]] == ["r2"]
    # When the stale copy moves again: the version guard answers 409 reservation_changed
    with pytest.raises(Conflict) as changed:
        ports.writer.relocate(move(r1, 5))
    assert changed.value.code == "reservation_changed"


def test_occupants_include_the_occupying_neighbours_only(ports: Ports) -> None:
    r1, r2 = a_reservation("r1"), a_reservation("r2", T0 + timedelta(hours=1))
    ports.writer.create([a_booking(r1), a_booking(r2)])
    ports.writer.apply(r2.cancel(OWNER, T0, "x"))
    found = ports.reservations.occupants(ROOM, [r1.window], Buffers(), T0)
    assert found == [Occupant.of(r1)]
    assert ports.reservations.occupants("res-9", [r1.window], Buffers(), T0) == []


def test_book_reads_the_resource_lets_the_caller_decide_and_commits(ports: Ports) -> None:
    # Given the room in the catalogue
    ports.add_resource(a_resource())
    seen: list[str] = []

    def decide(resource: Resource) -> Booking:
        seen.append(resource.resource_id)
        return a_booking(a_reservation("r1"))

    # When one booking is made through `book`
    booked = ports.writer.book(ROOM, a_reservation("r1").window, decide)
    # Then the caller decided on the resource read, and the booking is stored
    assert seen == [ROOM]
    assert ports.reservations.get("r1") == booked
    # And a second one on the same window is refused, with nothing written
    with pytest.raises(ReservationConflict):
        ports.writer.book(ROOM, booked.window, lambda _: a_booking(a_reservation("r2")))
    assert ports.reservations.get("r2") is None


def test_book_on_an_unknown_resource_is_a_404_before_deciding(ports: Ports) -> None:
    def decide(resource: Resource) -> Booking:
        raise AssertionError("not called")

    with pytest.raises(NotFound) as missing:
        ports.writer.book("nope", a_reservation("r1").window, decide)
    assert missing.value.code == "resource_not_found"


def test_move_reads_the_target_resource_and_relocates(ports: Ports) -> None:
    # Given r1 on room 1 and a second room
    ports.add_resource(a_resource())
    ports.add_resource(a_resource("res-2"))
    r1 = a_reservation("r1")
    ports.writer.create([a_booking(r1)])

    def decide(resource: Resource) -> Move:
        change = r1.reschedule(
            OWNER,
            T0,
            resource_id=resource.resource_id,
            window=r1.window,
            status=ReservationStatus.ACTIVE,
            details={},
            override_by=None,
        )
        return Move(change, Buffers())

    # When it moves to the same hours on room 2
    moved = ports.writer.move("res-2", r1.window, decide)
    # Then it is there, and room 1 is free at that time
    assert ports.reservations.get("r1") == moved and moved.resource_id == "res-2"
    assert ports.reservations.occupants(ROOM, [r1.window], Buffers(), T0) == []


def test_history_pages_oldest_first_until_the_key_runs_out(ports: Ports) -> None:
    # Given r1 created, moved and cancelled (three entries)
    r1 = a_reservation("r1")
    ports.writer.create([a_booking(r1)])
    later = TimeRange(T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    change = r1.reschedule(
        OWNER,
        T0 + timedelta(minutes=1),
        resource_id=ROOM,
        window=later,
        status=ReservationStatus.ACTIVE,
        details={},
        override_by=None,
    )
    moved = ports.writer.relocate(Move(change, Buffers()))
    ports.writer.apply(moved.cancel(OWNER, T0 + timedelta(minutes=2), "x"))
    # When it is read one entry per page (a key may come back on a full last page)
    actions: list[str] = []
    key = None
    for _ in range(5):
        page, key = ports.reservations.history("r1", limit=1, start_key=key)
        actions += [e.action for e in page]
        if key is None:
            break
    # Then every entry came, oldest first, and the key ran out
    assert actions == ["created", "rescheduled", "cancelled"]
    assert key is None
