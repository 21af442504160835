"""The open-hours cache: the catalogue is reread after its TTL, or early when the counters name
a resource it does not list; each resource's open minutes are computed once per version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from chalicelib.domain.analytics.report import DateRange
from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource
from chalicelib.services.analytics.open_time import CATALOG_TTL_S, OpenTimeCache

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
DAY = DateRange(date(2026, 11, 24), date(2026, 11, 24))


class Catalogue:
    """In-memory stand-in for store/analytics/catalog.py: counts its reads."""

    def __init__(self) -> None:
        self.items = [Resource("a", "A", timezone="Europe/Berlin")]
        self.reads = 0
        self.blackout_reads = 0

    def all_resources(self, now: datetime) -> list[Resource]:
        self.reads += 1
        return list(self.items)

    def default_hours(self) -> BusinessHours | None:
        return None

    def blackouts(
        self, resource_ids: Sequence[str], first: date, last: date
    ) -> dict[str, list[Blackout]]:
        self.blackout_reads += 1
        return {}


def test_reads_are_cached_and_refreshed_when_stale_or_incomplete() -> None:
    clock = [0.0]
    catalogue = Catalogue()
    cache = OpenTimeCache(catalogue, monotonic=lambda: clock[0])
    assert cache.for_range(DAY, NOW).open_minutes == {"a": 24 * 60}
    cache.for_range(DAY, NOW)
    assert (catalogue.reads, catalogue.blackout_reads) == (1, 1)
    # A resource created meanwhile: counters name it, the cache rereads (not more than
    # every couple of seconds)
    catalogue.items.append(Resource("b", "B"))
    assert "b" not in cache.for_range(DAY, NOW, must_include={"b"}).open_minutes
    clock[0] = 3.0
    assert cache.for_range(DAY, NOW, must_include={"b"}).open_minutes["b"] == 24 * 60
    assert catalogue.reads == 2
    # After the TTL it rereads anyway
    clock[0] = 3.0 + CATALOG_TTL_S + 1
    cache.for_range(DAY, NOW)
    assert catalogue.reads == 3
