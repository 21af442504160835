"""Open hours of every resource over a range, computed per resource from its own rules
(domain/analytics/open_hours.py) and cached: the catalogue for CATALOG_TTL_S, each
resource's result per (resource version, range) while the resource is unchanged."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.analytics.open_hours import open_minutes
from chalicelib.domain.analytics.report import DateRange
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.reservations.booking_rules import resource_zone
from chalicelib.services.analytics.ports import Catalog

CATALOG_TTL_S = 60.0
_MAX_CACHED = 50_000


@dataclass(frozen=True)
class OpenTime:
    resources: list[Resource]
    open_minutes: dict[str, int]


class OpenTimeCache:
    def __init__(self, catalog: Catalog, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._catalog = catalog
        self._monotonic = monotonic
        self._resources: tuple[float, list[Resource]] | None = None
        self._minutes: dict[tuple[str, int, str, str], int] = {}

    def resources(self, now: datetime) -> list[Resource]:
        cached = self._resources
        if cached is None or self._monotonic() - cached[0] > CATALOG_TTL_S:
            cached = (self._monotonic(), self._catalog.all_resources(now))
            self._resources = cached
        return cached[1]

    def for_range(self, rng: DateRange, now: datetime) -> OpenTime:
        resources = self.resources(now)
        first, last = rng.first.isoformat(), rng.last.isoformat()
        missing = [
            r for r in resources if (r.resource_id, r.version, first, last) not in self._minutes
        ]
        if missing:
            self._fill(missing, rng)
        minutes = {
            r.resource_id: self._minutes[(r.resource_id, r.version, first, last)] for r in resources
        }
        return OpenTime(resources, minutes)

    def _fill(self, resources: list[Resource], rng: DateRange) -> None:
        if len(self._minutes) > _MAX_CACHED:
            self._minutes.clear()
        default = self._catalog.default_hours()
        blackouts = self._catalog.blackouts([r.resource_id for r in resources], rng.first, rng.last)
        window = rng.window
        for r in resources:
            hours = r.business_hours if r.business_hours is not None else default
            key = (r.resource_id, r.version, rng.first.isoformat(), rng.last.isoformat())
            self._minutes[key] = open_minutes(
                window, resource_zone(r), hours, blackouts.get(r.resource_id, []), r.maintenance
            )
