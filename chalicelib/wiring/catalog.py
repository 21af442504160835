"""The catalogue: resources, their rules (hours, blackouts), bulk edits, availability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.core import clock, cursors, ids, prefetch_pool

if TYPE_CHECKING:
    from chalicelib.services.catalog.availability import AvailabilityService
    from chalicelib.services.catalog.bulk_edit import ResourceBulkService
    from chalicelib.services.catalog.resources import ResourceService
    from chalicelib.services.catalog.rules import ResourceRulesService
    from chalicelib.store.catalog.repository import ResourceStore


def resource_store() -> ResourceStore:
    from chalicelib.store.catalog.repository import ResourceStore

    return ResourceStore(cursors())


def resources() -> ResourceService:
    from chalicelib.services.catalog.occupancy import ReservationPorts
    from chalicelib.services.catalog.resources import ResourceService
    from chalicelib.wiring.reservations import booking

    ports = ReservationPorts(
        lambda actor, rid, reason: booking().cancel(actor, rid, reason), prefetch_pool()
    )
    return ResourceService(resource_store(), clock(), ids(), ports, ports)


def availability() -> AvailabilityService:
    from chalicelib.services.catalog.availability import AvailabilityService, SlotOccupancy

    return AvailabilityService(
        resource_store(), resources(), clock(), prefetch_pool(), SlotOccupancy()
    )


def resource_rules() -> ResourceRulesService:
    from chalicelib.services.catalog.rules import ResourceRulesService

    return ResourceRulesService(resource_store(), clock(), ids())


def resource_bulk() -> ResourceBulkService:
    from chalicelib.services.catalog.bulk_edit import ResourceBulkService

    return ResourceBulkService(resource_store(), clock(), ids())
