"""Saved searches and the suggestion reads.

Items (single table, see docs/catalog-groups.md):
- saved search: `SEARCHES#<user_id>` / `SEARCH#<id>` -> name, filters (JSON), created_at
  (one partition per owner: listing is one query, another user's id is simply not there)

Suggestions read only key ranges, each bounded by `limit`: resource names are a `begins_with`
on the name index (GSI1 `RESOURCES` / `<name_key>#<id>`), tags a `begins_with` on the tag
counters (`TAGS` / `TAG#<tag>`); labels and groups come from their small partitions.
"""

from __future__ import annotations

import json
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.catalog.saved_search import SavedSearch, search_not_found
from chalicelib.domain.timeutil import iso_z
from chalicelib.store import audit_stamp
from chalicelib.store.catalog.items import (
    RESOURCES_PARTITION,
    TAGS_PK,
    ResourceItem,
    TagCountItem,
    tag_counter_sk,
)
from chalicelib.store.table import TableItem, bind


def searches_pk(user_id: str) -> str:
    return f"SEARCHES#{user_id}"


def search_sk(search_id: str) -> str:
    return f"SEARCH#{search_id}"


class SavedSearchItem(TableItem, discriminator="saved_search"):  # type: ignore[call-arg]
    search_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    filters = UnicodeAttribute()
    created_at = UnicodeAttribute()


def _search(item: SavedSearchItem) -> SavedSearch:
    return SavedSearch(
        search_id=item.search_id,
        owner_id=item.owner_id,
        name=item.name,
        filters=json.loads(item.filters),
        created_at=datetime.fromisoformat(item.created_at.replace("Z", "+00:00")),
    )


class SavedSearchStore:
    def of(self, owner_id: str) -> list[SavedSearch]:
        bind()
        items = SavedSearchItem.query(searches_pk(owner_id), consistent_read=True)
        return [_search(item) for item in items]

    def get(self, owner_id: str, search_id: str) -> SavedSearch:
        bind()
        try:
            item = SavedSearchItem.get(
                searches_pk(owner_id), search_sk(search_id), consistent_read=True
            )
        except SavedSearchItem.DoesNotExist:
            raise search_not_found(search_id) from None
        return _search(item)

    def put(self, search: SavedSearch) -> None:
        bind()
        item = SavedSearchItem(
            PK=searches_pk(search.owner_id),
            SK=search_sk(search.search_id),
            search_id=search.search_id,
            owner_id=search.owner_id,
            name=search.name,
            filters=json.dumps(search.filters, sort_keys=True),
            created_at=iso_z(search.created_at),
        )
        audit_stamp.stamp(item).save()

    def delete(self, owner_id: str, search_id: str) -> None:
        self.get(owner_id, search_id)
        bind()
        SavedSearchItem(PK=searches_pk(owner_id), SK=search_sk(search_id)).delete()


def name_prefix(prefix: str, limit: int) -> list[str]:
    """Resource names starting with `prefix` (already a name key), in name order."""
    bind()
    items = ResourceItem.gsi1.query(
        RESOURCES_PARTITION, ResourceItem.GSI1SK.startswith(prefix), limit=limit
    )
    return [str(getattr(item, "name", "")) for item in items]


def tag_prefix(prefix: str, limit: int) -> list[str]:
    bind()
    items = TagCountItem.query(
        TAGS_PK,
        TagCountItem.SK.startswith(tag_counter_sk(prefix)),
        filter_condition=TagCountItem.uses > 0,
        limit=limit,
    )
    return [str(item.tag) for item in items]
