"""Reads over the catalogue's bookkeeping items: tag counters and members, counts, names.

None of these scans: tags are one partition of counters (`TAGS`), a tag's resources are one
partition of membership items (`TAG#<tag>`), the counts are one item (`STATS`) plus the
small partition of resources currently flagged for maintenance (`MAINTENANCE`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DeleteError

from chalicelib.domain.timeutil import iso_z
from chalicelib.store.catalog.items import (
    MAINTENANCE_PK,
    NAME_SK,
    STATS_PK,
    STATS_SK,
    TAGS_PK,
    MaintenanceItem,
    ResourceNameItem,
    StatsItem,
    TagCountItem,
    TagMemberItem,
    name_pk,
    tag_counter_sk,
    tag_pk,
)
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.table import bind

_TAG_SCOPE = "resource-tags"


@dataclass(frozen=True)
class CatalogCounts:
    total: int
    enabled: int
    maintenance: int  # enabled resources whose maintenance is in force now


def tag_page(
    codec: CursorCodec, limit: int, cursor: str | None
) -> tuple[list[tuple[str, int]], str | None]:
    """Tags in alphabetical order with the number of resources carrying each."""
    bind()
    start = codec.decode(cursor, scope=_TAG_SCOPE)
    results = TagCountItem.query(
        TAGS_PK,
        filter_condition=TagCountItem.uses > 0,
        limit=limit,
        last_evaluated_key=start,
    )
    tags = [(item.tag or "", int(item.uses or 0)) for item in results]
    last = results.last_evaluated_key if len(tags) == limit else None
    return tags, codec.encode(last, scope=_TAG_SCOPE)


def tag_count(tag: str) -> int:
    bind()
    try:
        item = TagCountItem.get(TAGS_PK, tag_counter_sk(tag), consistent_read=True)
    except TagCountItem.DoesNotExist:
        return 0
    return int(item.uses or 0)


def member_ids(tag: str, limit: int) -> list[str]:
    """The first `limit` resources carrying `tag` (consistent read of its membership partition)."""
    bind()
    results = TagMemberItem.query(tag_pk(tag), consistent_read=True, limit=limit)
    return [item.resource_id for item in results]


def drop_counter_if_unused(tag: str) -> None:
    """Remove a counter that reached zero (conditional: a concurrent tagging keeps it)."""
    bind()
    counter = TagCountItem(PK=TAGS_PK, SK=tag_counter_sk(tag))
    try:
        counter.delete(condition=TagCountItem.uses <= 0)
    except DeleteError:
        return


def catalog_counts(now: datetime) -> CatalogCounts:
    bind()
    try:
        stats = StatsItem.get(STATS_PK, STATS_SK, consistent_read=True)
        total, enabled = int(stats.total or 0), int(stats.enabled or 0)
    except StatsItem.DoesNotExist:
        total = enabled = 0
    in_force = (MaintenanceItem.until > iso_z(now)) & (MaintenanceItem.enabled == True)  # noqa: E712
    maintenance = MaintenanceItem.count(
        MAINTENANCE_PK, filter_condition=in_force, consistent_read=True
    )
    return CatalogCounts(total=total, enabled=enabled, maintenance=maintenance)


def names_taken(names: Sequence[str]) -> set[str]:
    """Which of these names (compared case-insensitively) already belong to a resource."""
    bind()
    wanted = {name_pk(name): name for name in names}
    if not wanted:
        return set()
    found = ResourceNameItem.batch_get([(pk, NAME_SK) for pk in wanted], consistent_read=True)
    taken = {item.PK for item in found}
    return {wanted[pk] for pk in taken}
