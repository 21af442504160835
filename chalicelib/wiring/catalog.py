"""The catalogue: resources, their rules (hours, blackouts), bulk edits, availability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.core import clock, cursors, ids, prefetch_pool

if TYPE_CHECKING:
    from chalicelib.services.catalog.availability import AvailabilityService
    from chalicelib.services.catalog.bulk_edit import ResourceBulkService
    from chalicelib.services.catalog.composites import CompositeService  # issue 14
    from chalicelib.services.catalog.groups import GroupService
    from chalicelib.services.catalog.labels import LabelService
    from chalicelib.services.catalog.resources import ResourceService
    from chalicelib.services.catalog.rules import ResourceRulesService
    from chalicelib.services.catalog.search import SavedSearchService, SuggestionSources
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
    return ResourceService(resource_store(), clock(), ids(), ports, ports, groups())


# Locations, labels, saved searches (catalog14).
def groups() -> GroupService:
    from chalicelib.services.catalog.groups import GroupService
    from chalicelib.store.catalog.groups import GroupStore

    return GroupService(GroupStore(), resource_store(), clock(), ids())


def availability() -> AvailabilityService:
    from chalicelib.services.catalog.availability import AvailabilityService, SlotOccupancy

    # search16: the occupancy index's partition queries run concurrently on the prefetch pool
    occupancy = SlotOccupancy(prefetch_pool())
    return AvailabilityService(resource_store(), resources(), clock(), prefetch_pool(), occupancy)


def resource_rules() -> ResourceRulesService:
    from chalicelib.services.catalog.rules import ResourceRulesService

    return ResourceRulesService(resource_store(), clock(), ids())


def resource_bulk() -> ResourceBulkService:
    from chalicelib.services.catalog.bulk_edit import ResourceBulkService

    return ResourceBulkService(resource_store(), clock(), ids())


def labels() -> LabelService:
    from chalicelib.services.catalog.labels import LabelService
    from chalicelib.store.catalog.labels import LabelStore

    return LabelService(LabelStore(), resource_store(), clock(), ids())


def saved_searches() -> SavedSearchService:
    from chalicelib.services.catalog.search import SavedSearchService
    from chalicelib.store.catalog.searches import SavedSearchStore

    return SavedSearchService(SavedSearchStore(), clock(), ids())


def suggestion_sources() -> SuggestionSources:
    from chalicelib.services.catalog.search import SuggestionSources
    from chalicelib.store.catalog import searches

    return SuggestionSources(
        searches.name_prefix,
        searches.tag_prefix,
        lambda: labels().find(),
        lambda: groups().flat(),
    )


# Composite resources (issue 14)
def composites() -> CompositeService:
    from chalicelib.services.catalog.composites import CompositeService
    from chalicelib.store.catalog.composites import CompositeStore

    return CompositeService(CompositeStore(), resources())
