"""A group feed's resources: the location tree, and the resources of a set of groups read in
pages of the catalogue's own filtered query, stopping at the caller's limit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from chalicelib.domain.catalog.groups import Tree
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.store.catalog.groups import GroupStore
from chalicelib.store.catalog.repository import ResourceStore

_MAX_PAGES = 50


class GroupMembers:
    def __init__(self, resources: ResourceStore, now: Callable[[], datetime]) -> None:
        self._resources = resources
        self._now = now

    def tree(self) -> Tree:
        return GroupStore().tree()

    def resources_in(self, group_ids: Sequence[str], limit: int) -> list[Resource]:
        query = ResourceQuery(group_ids=tuple(group_ids))
        found: list[Resource] = []
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            page = self._resources.list_page(query, limit, cursor, now=self._now())
            found += page.items
            cursor = page.next_cursor
            if not cursor or len(found) >= limit:
                break
        return found[:limit]
