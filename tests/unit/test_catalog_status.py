"""Live status and maintenance: computed from the resource, `now` and the current occupant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.resources import Resource, ResourceStatus
from chalicelib.domain.catalog.rules import Occupant, ResourceDraft
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import InvalidInput

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


def a_resource(**changes: object) -> Resource:
    return replace(catalog.new_resource(ResourceDraft(name="Room"), "r-1", START), **changes)


def occupant(start: datetime, minutes: int = 60) -> Occupant:
    return Occupant("res-1", start, start + timedelta(minutes=minutes))


def test_an_idle_enabled_resource_is_available(clock: FrozenClock) -> None:
    assert catalog.live_status(a_resource(), clock.now(), None) is ResourceStatus.AVAILABLE


def test_a_current_reservation_makes_it_in_use(clock: FrozenClock) -> None:
    # Given a reservation from 08:30 to 09:30, When it is 09:00, Then the resource is in use
    report = catalog.status_report(
        a_resource(), clock.now(), occupant(START - timedelta(minutes=30))
    )
    assert report.status is ResourceStatus.IN_USE
    assert report.occupant is not None and report.occupant.reservation_id == "res-1"


def test_an_occupant_outside_now_does_not_count(clock: FrozenClock) -> None:
    # Given a reservation that ended exactly now (half-open interval)
    ended = occupant(START - timedelta(minutes=60))
    report = catalog.status_report(a_resource(), clock.now(), ended)
    assert report.status is ResourceStatus.AVAILABLE and report.occupant is None


def test_disabled_wins_over_maintenance_and_occupancy(clock: FrozenClock) -> None:
    maintenance = catalog.begin_maintenance(clock.now(), "repair", 8)
    resource = a_resource(enabled=False, maintenance=maintenance)
    assert catalog.live_status(resource, clock.now(), occupant(START)) is ResourceStatus.DISABLED


def test_maintenance_wins_over_occupancy_and_counts_down(clock: FrozenClock) -> None:
    # Given maintenance started now with an 8 hour auto-reset
    resource = a_resource(maintenance=catalog.begin_maintenance(clock.now(), " broken ", 8))
    # When two hours pass
    clock.advance(timedelta(hours=2))
    report = catalog.status_report(resource, clock.now(), occupant(clock.now()))
    # Then it is still in maintenance with six hours to go; the reservation is still reported
    assert report.status is ResourceStatus.MAINTENANCE
    assert report.seconds_until_reset == 6 * 3600
    assert report.maintenance is not None and report.maintenance.reason == "broken"
    assert report.occupant is not None


def test_maintenance_is_over_once_the_auto_reset_time_passes(clock: FrozenClock) -> None:
    resource = a_resource(maintenance=catalog.begin_maintenance(clock.now(), "x", 8))
    clock.advance(timedelta(hours=8))
    report = catalog.status_report(resource, clock.now(), None)
    assert report.status is ResourceStatus.AVAILABLE
    assert report.maintenance is None and report.seconds_until_reset is None


def test_zero_hours_means_until_ended(clock: FrozenClock) -> None:
    resource = a_resource(maintenance=catalog.begin_maintenance(clock.now(), "x", 0))
    clock.advance(timedelta(days=400))
    report = catalog.status_report(resource, clock.now(), None)
    assert report.status is ResourceStatus.MAINTENANCE
    assert report.seconds_until_reset is None


@pytest.mark.parametrize(("hours", "reason"), [(-1, "x"), (721, "x"), (8, "x" * 501)])
def test_bad_maintenance_requests_are_refused(clock: FrozenClock, hours: int, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        catalog.begin_maintenance(clock.now(), reason, hours)
    assert caught.value.code == "invalid_maintenance"
