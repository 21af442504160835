"""Audit statistics and reservation search (audit14): built from the stores they read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.catalog import resource_store
from chalicelib.wiring.core import clock
from chalicelib.wiring.reservations import reservation_queries

if TYPE_CHECKING:
    from chalicelib.services.pipeline.audit_stats import AuditStatsService
    from chalicelib.services.reservations.search import ReservationSearch


def audit_stats() -> AuditStatsService:
    from chalicelib.services.pipeline.audit_stats import AuditStatsService
    from chalicelib.store.pipeline.audit_stats import AuditStatsStore

    return AuditStatsService(AuditStatsStore(), clock())


def reservation_search() -> ReservationSearch:
    from chalicelib.services.reservations.search import ReservationSearch
    from chalicelib.store.catalog.groups import GroupStore
    from chalicelib.store.catalog.subtree_resources import SubtreeResources

    subtrees = SubtreeResources(GroupStore(), resource_store())
    return ReservationSearch(reservation_queries(), subtrees, clock())
