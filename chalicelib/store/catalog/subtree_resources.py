"""The resources under a group's subtree, as ids (reservation search by location, audit14).

The subtree is resolved from the group tree (one query for the whole tree), then the
resource list is read with the subtree filter, page by page, stopping one past `cap`, so
"more than cap" is known without reading everything.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.store.catalog.groups import GroupStore
from chalicelib.store.catalog.repository import ResourceStore

_MAX_PAGES = 10


class SubtreeResources:
    def __init__(self, groups: GroupStore, resources: ResourceStore) -> None:
        self._groups = groups
        self._resources = resources

    def ids_in(self, group_id: str, *, cap: int, now: datetime) -> list[str] | None:
        """Ids of the resources in the group or below (404 for an unknown group); None when
        there are more than `cap` (or the bounded reads could not finish the list)."""
        tree = self._groups.tree()
        tree.get(group_id)
        query = ResourceQuery(group_ids=tuple(tree.subtree_ids(group_id)))
        found: list[str] = []
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            page = self._resources.list_page(query, cap + 1 - len(found), cursor, now=now)
            found.extend(r.resource_id for r in page.items)
            cursor = page.next_cursor
            if len(found) > cap:
                return None
            if cursor is None:
                return found
        return None
