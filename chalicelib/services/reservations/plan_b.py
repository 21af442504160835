"""Plan B (issue 13): ready-to-send alternatives for a refused booking.

- the nearest free windows of the same length on the same resource, before and after the
  one asked for (inside its opening hours: the free spans only cover open time);
- other resources free for the whole requested window that have every tag of the original,
  at least its capacity and (if it has one) the same building, found with the catalogue's
  free-window search.

Every alternative also passes the booking rules and the caller's quotas as read now; each is
a booking request body (`request`) the client can send as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.domain.errors import DomainError
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import Reservation, TimeRange, availability, plan_b
from chalicelib.domain.reservations.booking_rules import resource_zone
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.catalog.resources import ViewPage
from chalicelib.services.quotas.gate import QuotaGate
from chalicelib.services.reservations.ports import ResourceCatalog

SEARCH_DAYS = 2  # local dates each side of the requested one
OTHER_RESOURCES = 5


class Occupancy(Protocol):
    def around(self, resource: Resource, window: TimeRange, now: datetime) -> list[Reservation]: ...


class FreeSearch(Protocol):
    def search(
        self,
        actor: Principal,
        query: ResourceQuery,
        limit: int,
        cursor: str | None,
        *,
        available_from: datetime | None = None,
        available_until: datetime | None = None,
    ) -> ViewPage: ...


@dataclass(frozen=True)
class Alternative:
    kind: str  # "earlier" | "later" | "other_resource"
    resource: Resource
    window: TimeRange
    moved_by: timedelta

    def as_dict(self, notes: str = "") -> dict[str, Any]:
        request: dict[str, Any] = {
            "resource_id": self.resource.resource_id,
            "start_time": iso_z(self.window.start),
            "end_time": iso_z(self.window.end),
        }
        if notes:
            request["notes"] = notes
        return {
            "kind": self.kind,
            "resource_id": self.resource.resource_id,
            "resource_name": self.resource.name,
            "start_time": iso_z(self.window.start),
            "end_time": iso_z(self.window.end),
            "moved_minutes": int(self.moved_by.total_seconds() // 60),
            "request": request,
        }


class PlanB:
    def __init__(
        self,
        catalog: ResourceCatalog,
        occupancy: Occupancy,
        search: FreeSearch,
        quotas: QuotaGate | None,
        rules: Callable[..., list[str]],
    ) -> None:
        self._catalog = catalog
        self._occupancy = occupancy
        self._search = search
        self._quotas = quotas
        self._rules = rules

    def alternatives(
        self, principal: Principal, resource: Resource, window: TimeRange, now: datetime
    ) -> list[Alternative]:
        fits = self._quota_fit(principal, now)
        found = self._same_resource(resource, window, now, fits)
        found += self._other_resources(principal, resource, window, fits)
        return found

    def _quota_fit(
        self, principal: Principal, now: datetime
    ) -> Callable[[Resource, TimeRange], bool]:
        if self._quotas is None:
            return lambda _r, _w: True
        return self._quotas.fit_checker(principal, now)

    def _same_resource(
        self,
        resource: Resource,
        window: TimeRange,
        now: datetime,
        fits: Callable[[Resource, TimeRange], bool],
    ) -> list[Alternative]:
        zone = resource_zone(resource)
        day = window.start.astimezone(zone).date()
        first, last = day - timedelta(days=SEARCH_DAYS), day + timedelta(days=SEARCH_DAYS)
        hours = self._catalog.hours_for(resource)
        blackouts = self._catalog.blackouts_for(
            resource, first - timedelta(days=1), last + timedelta(days=1)
        )
        around = TimeRange(
            window.start - timedelta(days=SEARCH_DAYS + 1),
            window.end + timedelta(days=SEARCH_DAYS + 1),
        )
        reservations = self._occupancy.around(resource, around, now)
        spans = availability.free_spans(
            resource,
            first,
            last,
            hours=hours,
            blackouts=blackouts,
            reservations=reservations,
            now=now,
        )

        def bookable(candidate: TimeRange) -> bool:
            try:
                self._rules(resource, candidate, now=now, hours=hours, blackouts=blackouts)
            except DomainError:
                return False
            return fits(resource, candidate)

        windows = plan_b.nearest_windows(
            window, spans, earliest=now + resource.policy.min_notice, bookable=bookable
        )
        return [
            Alternative(
                "earlier" if w.start < window.start else "later",
                resource,
                w,
                w.start - window.start,
            )
            for w in windows
        ]

    def _other_resources(
        self,
        principal: Principal,
        resource: Resource,
        window: TimeRange,
        fits: Callable[[Resource, TimeRange], bool],
    ) -> list[Alternative]:
        query = ResourceQuery(
            tags=resource.tags,
            building=resource.location.building,
            capacity_min=resource.capacity,
            enabled=True,
        )
        page = self._search.search(
            principal,
            query,
            OTHER_RESOURCES + 1,
            None,
            available_from=window.start,
            available_until=window.end,
        )
        return [
            Alternative("other_resource", view.resource, window, timedelta(0))
            for view in page.items
            if view.resource.resource_id != resource.resource_id and fits(view.resource, window)
        ][:OTHER_RESOURCES]
