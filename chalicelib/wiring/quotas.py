"""Booking quotas (issue 13): the booking path's gate and the usage/admin service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.core import clock, ids

if TYPE_CHECKING:
    from chalicelib.services.quotas.gate import QuotaGate
    from chalicelib.services.quotas.usage import QuotaService
    from chalicelib.services.reservations.plan_b import PlanB
    from chalicelib.services.reservations.what_if import WhatIf


def quota_gate() -> QuotaGate:
    from chalicelib.services.quotas.gate import QuotaGate
    from chalicelib.store.catalog.groups import GroupStore
    from chalicelib.store.quotas.repository import QuotaStore

    def chain_of(group_id: str) -> frozenset[str]:
        return frozenset(g.group_id for g in GroupStore().tree().ancestors(group_id))

    return QuotaGate(QuotaStore(), chain_of)  # group-scoped rules cover the subtree


def quotas() -> QuotaService:
    from chalicelib.services.quotas.usage import QuotaService
    from chalicelib.store.accounts.users import UserStore
    from chalicelib.store.quotas.repository import QuotaStore

    users = UserStore()

    def roles_of(user_id: str) -> frozenset[str]:
        return frozenset(r.value for r in users.require(user_id).roles)

    return QuotaService(QuotaStore(), clock(), ids(), roles_of)


def plan_b() -> PlanB:
    from chalicelib.domain.reservations.booking_rules import check_booking
    from chalicelib.services.catalog.availability import SlotOccupancy
    from chalicelib.services.reservations.plan_b import PlanB
    from chalicelib.wiring.catalog import availability, resource_store

    return PlanB(resource_store(), SlotOccupancy(), availability(), quota_gate(), check_booking)


def what_if() -> WhatIf:
    from chalicelib.services.reservations.what_if import WhatIf
    from chalicelib.wiring.reservations import booking_deps

    return WhatIf(booking_deps(), plan_b())
