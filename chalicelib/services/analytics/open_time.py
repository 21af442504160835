"""Open hours of every resource over a range, computed per resource from its own rules
(domain/analytics/open_hours.py) and cached: the catalogue for CATALOG_TTL_S, each
resource's result per (resource version, range) while the resource is unchanged."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.analytics.open_hours import open_minutes
from chalicelib.domain.analytics.report import DateRange
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.reservations.booking_rules import resource_zone
from chalicelib.services.analytics.ports import Catalog

CATALOG_TTL_S = 60.0
REFRESH_MIN_S = 2.0
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

    def resources(self, now: datetime, must_include: Collection[str] = ()) -> list[Resource]:
        """The catalogue, reread after CATALOG_TTL_S, or sooner (at most every
        REFRESH_MIN_S) when counters name a resource it does not list (created meanwhile)."""
        cached = self._resources
        age = self._monotonic() - cached[0] if cached is not None else 0.0
        known = {r.resource_id for r in cached[1]} if cached is not None else set()
        unknown = any(rid not in known for rid in must_include)
        if cached is None or age > CATALOG_TTL_S or (unknown and age > REFRESH_MIN_S):
            cached = (self._monotonic(), self._catalog.all_resources(now))
            self._resources = cached
        return cached[1]

    def for_range(
        self, rng: DateRange, now: datetime, must_include: Collection[str] = ()
    ) -> OpenTime:
        resources = self.resources(now, must_include)
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
        # Local dates: a zone ahead of or behind UTC reaches a day past either end.
        blackouts = self._catalog.blackouts(
            [r.resource_id for r in resources],
            rng.first - timedelta(days=1),
            rng.last + timedelta(days=1),
        )
        window = rng.window
        for r in resources:
            hours = r.business_hours if r.business_hours is not None else default
            key = (r.resource_id, r.version, rng.first.isoformat(), rng.last.isoformat())
            self._minutes[key] = open_minutes(
                window, resource_zone(r), hours, blackouts.get(r.resource_id, []), r.maintenance
            )
