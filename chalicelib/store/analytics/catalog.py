"""The catalogue as analytics needs it: every resource with its hours and blackouts, in a
bounded number of reads (pages of 100 resources, one BatchGet of blackout markers per 100,
and a blackout query only for the few resources that have blackouts of their own)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.store import dynamo
from chalicelib.store.catalog import blackouts as blackout_store
from chalicelib.store.catalog import settings_items
from chalicelib.store.catalog.repository import ResourceStore
from chalicelib.store.reservations.items import table_name

_PAGE = 100
_MAX_PAGES = 200  # 20,000 resources


class CatalogRules:
    def __init__(self, resources: ResourceStore) -> None:
        self._resources = resources

    def all_resources(self, now: datetime) -> list[Resource]:
        found: list[Resource] = []
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            page = self._resources.list_page(ResourceQuery(), _PAGE, cursor, now=now)
            found.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                break
        return found

    def default_hours(self) -> BusinessHours | None:
        return settings_items.default_hours_cached()

    def blackouts(
        self, resource_ids: Sequence[str], first: date, last: date
    ) -> dict[str, list[Blackout]]:
        """resource id -> its own and the global blackouts touching [first, last]."""
        shared = blackout_store.between(None, first, last, include_global=True)
        keys = [blackout_store.count_key(rid) for rid in resource_ids]
        counts = dynamo.batch_get(table_name(), keys, consistent=False)
        out: dict[str, list[Blackout]] = {}
        for rid in resource_ids:
            raw = counts.get((f"RESOURCE#{rid}", blackout_store.COUNT_SK))
            own = blackout_store.count_from_raw(raw)
            if own == 0:
                out[rid] = list(shared)
            else:  # has some, or predates the markers: read them
                out[rid] = blackout_store.between(rid, first, last, include_global=True)
        return out
