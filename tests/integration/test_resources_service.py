"""The resource service with in-memory reservation ports (the real ones come from the
reservation store): delete guard, forced delete, in_use status, availability seam."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.catalog.resources import Resource, ResourceStatus
from chalicelib.domain.catalog.rules import Occupant, ResourceQuery
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.principal import SYSTEM, Principal, Role
from chalicelib.services.catalog.resources import ResourceService
from chalicelib.store.catalog.repository import ResourceStore
from tests.fakes.reservation_ports import FakeReservations
from tests.resource_factories import a_draft

ADMIN = SYSTEM
USER = Principal("u1", "alice", frozenset({Role.USER}), frozenset({"resources:read"}))


class FailingOnce(FakeReservations):
    """Cancelling fails the first time, as if the function timed out half-way."""

    failed: bool = False

    def cancel_all_future(
        self, resource_id: str, now: datetime, *, actor: Principal, reason: str
    ) -> int:
        if not self.failed:
            self.failed = True
            raise TimeoutError("cancelled too slowly")
        return super().cancel_all_future(resource_id, now, actor=actor, reason=reason)


def service_with(ports: FakeReservations) -> ResourceService:
    return ResourceService(
        ResourceStore(wiring.cursors()), wiring.clock(), wiring.ids(), ports, ports
    )


@pytest.fixture
def ports(clock: FrozenClock) -> FakeReservations:
    return FakeReservations()


@pytest.fixture
def service(ports: FakeReservations) -> ResourceService:
    return service_with(ports)


def make(service: ResourceService, name: str) -> Resource:
    return service.create(ADMIN, a_draft(name)).resource


def test_delete_is_refused_while_future_reservations_exist(
    service: ResourceService, ports: FakeReservations, clock: FrozenClock
) -> None:
    # Given a resource with one past and one future reservation
    room = make(service, "Room")
    ports.book(
        room.resource_id, "past", clock.now() - timedelta(hours=3), clock.now() - timedelta(hours=2)
    )
    ports.book(
        room.resource_id,
        "future",
        clock.now() + timedelta(days=1),
        clock.now() + timedelta(days=1, hours=1),
    )
    # When deleted without force
    with pytest.raises(Conflict) as caught:
        service.delete(ADMIN, room.resource_id, force=False)
    # Then it is refused, counting only the future one, and the resource remains
    assert caught.value.code == "resource_has_future_reservations"
    assert caught.value.details["future_reservations"] == 1
    assert service.get(ADMIN, room.resource_id).resource == room


def test_forced_delete_cancels_future_reservations_then_deletes(
    service: ResourceService, ports: FakeReservations, clock: FrozenClock
) -> None:
    room = make(service, "Room")
    ports.book(
        room.resource_id, "f1", clock.now() + timedelta(hours=1), clock.now() + timedelta(hours=2)
    )
    cancelled = service.delete(ADMIN, room.resource_id, force=True)
    assert cancelled == 1
    assert ports.cancelled == [("f1", ADMIN.subject_id, "resource deleted")]
    with pytest.raises(NotFound):
        service.get(ADMIN, room.resource_id)


def test_an_interrupted_forced_delete_hides_the_resource_and_can_be_finished(
    clock: FrozenClock,
) -> None:
    ports = FailingOnce()
    service = service_with(ports)
    room = make(service, "Room")
    ports.book(
        room.resource_id, "f1", clock.now() + timedelta(hours=1), clock.now() + timedelta(hours=2)
    )
    # When the forced delete stops half-way
    with pytest.raises(TimeoutError):
        service.delete(ADMIN, room.resource_id, force=True)
    # Then the resource is already hidden from reads and lists (no new bookings find it)
    with pytest.raises(NotFound):
        service.get(ADMIN, room.resource_id)
    assert service.list(ADMIN, ResourceQuery(), 10, None).items == []
    # And repeating the delete finishes the job
    assert service.delete(ADMIN, room.resource_id, force=True) == 1
    with pytest.raises(NotFound):
        service.delete(ADMIN, room.resource_id, force=True)


def test_in_use_comes_from_the_occupancy_port(
    service: ResourceService, ports: FakeReservations, clock: FrozenClock
) -> None:
    busy, idle = make(service, "Busy"), make(service, "Idle")
    ports.book(
        busy.resource_id,
        "now",
        clock.now() - timedelta(minutes=5),
        clock.now() + timedelta(minutes=55),
    )
    view = service.status(USER, busy.resource_id)
    assert view.report.status is ResourceStatus.IN_USE
    assert view.report.occupant == Occupant(
        "now", clock.now() - timedelta(minutes=5), clock.now() + timedelta(minutes=55)
    )
    # When time passes beyond the reservation, Then it is available again (nothing written)
    clock.advance(timedelta(hours=1))
    assert service.status(USER, busy.resource_id).report.status is ResourceStatus.AVAILABLE
    assert service.status(USER, idle.resource_id).report.status is ResourceStatus.AVAILABLE


def test_status_filters_use_one_batched_occupancy_read_per_page(
    service: ResourceService, ports: FakeReservations, clock: FrozenClock
) -> None:
    rooms = [make(service, f"Room {i:02d}") for i in range(6)]
    for room in rooms[::2]:
        ports.book(
            room.resource_id, f"r-{room.name}", clock.now(), clock.now() + timedelta(hours=1)
        )
    ports.batch_calls = 0
    in_use = service.list(USER, ResourceQuery(status=ResourceStatus.IN_USE), 10, None)
    assert [v.resource.name for v in in_use.items] == ["Room 00", "Room 02", "Room 04"]
    assert all(v.report.status is ResourceStatus.IN_USE for v in in_use.items)
    assert ports.batch_calls == 1
    available = service.list(USER, ResourceQuery(status=ResourceStatus.AVAILABLE), 10, None)
    assert [v.resource.name for v in available.items] == ["Room 01", "Room 03", "Room 05"]


def test_the_availability_seam_filters_each_page_and_keeps_paging_exact(
    service: ResourceService,
) -> None:
    for i in range(9):
        make(service, f"Room {i}")
    seen_pages: list[int] = []

    def only_even(resources: list[Resource]) -> list[Resource]:
        seen_pages.append(len(resources))
        return [r for r in resources if int(r.name.split()[1]) % 2 == 0]

    first = service.list(USER, ResourceQuery(), 2, None, availability=only_even)
    second = service.list(USER, ResourceQuery(), 2, first.next_cursor, availability=only_even)
    third = service.list(USER, ResourceQuery(), 2, second.next_cursor, availability=only_even)
    names = [v.resource.name for page in (first, second, third) for v in page.items]
    assert names == ["Room 0", "Room 2", "Room 4", "Room 6", "Room 8"]
    assert third.next_cursor is None
    assert seen_pages  # the filter saw pages, never the whole catalogue at once


def test_the_service_itself_refuses_writes_by_non_admins(service: ResourceService) -> None:
    with pytest.raises(Forbidden):
        service.create(USER, a_draft("Nope"))
