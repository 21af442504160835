"""The resource listing: one index query per DynamoDB page, bounded, never load-and-slice.

Name order reads GSI1 (`RESOURCES` / `<name_key>#<id>`), creation order GSI2
(`RESOURCES` / `<created_at>#<id>`). Filters run in DynamoDB as a FilterExpression; an
optional `keep` callback (live status needing reservations, free-window search) filters each
page in Python. The loop stops as soon as `limit` matches are found, resuming from the last
returned item, or after `MAX_READS` requests: then the page may be short (even empty) and
`next_cursor` continues the search. Cursors are signed per index and direction.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any, cast

from pynamodb.expressions.condition import Condition

from chalicelib.domain.catalog.resources import Resource, ResourceStatus
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.domain.timeutil import iso_z
from chalicelib.store.catalog import snapshot
from chalicelib.store.catalog.items import RESOURCES_PARTITION, ResourceItem, from_raw, raw_key
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.table import bind

MAX_READS = 10
KEEP_PAGE_MAX = 800  # resource items are < 1 KB: a page stays far below DynamoDB's 1 MB
# Takes the resources of one DynamoDB page that passed the FilterExpression, returns those
# to keep (same order). This is the seam for filters that need other data (reservations).
PageFilter = Callable[[list[Resource]], list[Resource]]


@dataclass(frozen=True)
class ResourcePage:
    items: list[Resource]
    next_cursor: str | None


def _status_condition(status: ResourceStatus, now_iso: str) -> Condition:
    if status is ResourceStatus.DISABLED:
        return cast(Condition, ResourceItem.enabled == False)  # noqa: E712 (a condition)
    enabled = cast(Condition, ResourceItem.enabled == True)  # noqa: E712
    if status is ResourceStatus.MAINTENANCE:
        return cast(Condition, enabled & (ResourceItem.maint_until > now_iso))
    # in_use and available: not in maintenance here; occupancy is decided by `keep`
    idle = ResourceItem.maint_until.does_not_exist() | (ResourceItem.maint_until <= now_iso)
    return cast(Condition, enabled & idle)


def filter_condition(query: ResourceQuery, now: datetime) -> Condition | None:
    parts: list[Condition] = []
    if query.q:
        parts.append(
            ResourceItem.name_lower.contains(query.q)
            | ResourceItem.description_lower.contains(query.q)
        )
    parts += [ResourceItem.tags.contains(tag) for tag in query.tags]
    if query.building:
        parts.append(ResourceItem.building_key == query.building)
    if query.floor:
        parts.append(ResourceItem.floor_key == query.floor)
    if query.capacity_min is not None:
        parts.append(ResourceItem.capacity >= query.capacity_min)
    if query.enabled is not None:
        parts.append(ResourceItem.enabled == query.enabled)
    if query.status is not None:
        parts.append(_status_condition(query.status, iso_z(now)))
    parts += _location_and_labels(query)
    return reduce(lambda a, b: a & b, parts) if parts else None


def raw_filter(query: ResourceQuery, now: datetime) -> Callable[[dict[str, Any]], bool]:
    """`filter_condition` as DynamoDB evaluates it, on a raw item (the catalogue copy,
    snapshot.py): `contains` on a string is a substring, on a list an element; a comparison
    with a missing attribute is false. tests/integration/test_catalogue_copy.py checks both
    give the same pages for every filter."""
    now_iso = iso_z(now)
    checks: list[Callable[[dict[str, Any]], bool]] = []
    if query.q:
        q = query.q
        checks.append(
            lambda i: q in (_s(i, "name_lower") or "") or q in (_s(i, "description_lower") or "")
        )
    checks += [_has_tag(tag) for tag in query.tags]
    checks += [
        _equals(name, wanted)
        for name, wanted in (("building_key", query.building), ("floor_key", query.floor))
        if wanted
    ]
    if query.capacity_min is not None:
        least = query.capacity_min
        checks.append(lambda i: "capacity" in i and float(i["capacity"]["N"]) >= least)
    if query.enabled is not None:
        enabled = query.enabled
        checks.append(lambda i: _enabled(i) is enabled)
    if query.status is not None:
        status = query.status
        checks.append(lambda i: _status_matches(i, status, now_iso))
    checks += _raw_location_and_labels(query)
    return lambda item: all(check(item) for check in checks)


def _s(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return str(value["S"]) if value and "S" in value else None


def _has_tag(tag: str) -> Callable[[dict[str, Any]], bool]:
    return lambda item: tag in _strings(item, "tags")


def _equals(name: str, wanted: str) -> Callable[[dict[str, Any]], bool]:
    return lambda item: _s(item, name) == wanted


def _strings(item: dict[str, Any], name: str) -> list[str]:
    value = item.get(name) or {}
    return [str(v.get("S")) for v in value.get("L", [])] + list(value.get("SS", []))


def _enabled(item: dict[str, Any]) -> bool | None:
    value = item.get("enabled")
    return bool(value["BOOL"]) if value and "BOOL" in value else None


def _status_matches(item: dict[str, Any], status: ResourceStatus, now_iso: str) -> bool:
    enabled = _enabled(item)
    if status is ResourceStatus.DISABLED:
        return enabled is False
    until = _s(item, "maint_until")
    if status is ResourceStatus.MAINTENANCE:
        return enabled is True and until is not None and until > now_iso
    return enabled is True and (until is None or until <= now_iso)


def _raw_location_and_labels(query: ResourceQuery) -> list[Callable[[dict[str, Any]], bool]]:
    checks: list[Callable[[dict[str, Any]], bool]] = []
    if query.group_ids is not None:
        groups = set(query.group_ids) or {""}
        checks.append(lambda i: _s(i, "group_id") in groups)
    if query.ungrouped:
        checks.append(lambda i: "group_id" not in i)
    if query.labels:
        labels, match = query.labels, any if query.label_match == "any" else all
        checks.append(lambda i: match(label in _strings(i, "labels") for label in labels))
    return checks


def _any(conditions: Sequence[Condition]) -> Condition:
    return reduce(lambda a, b: a | b, conditions)


def _location_and_labels(query: ResourceQuery) -> list[Condition]:
    """Subtree (group id IN the resolved subtree, chunks of 100 as DynamoDB allows), ungrouped,
    labels (all or any). Moves never touch resources: the subtree is resolved per request."""
    parts: list[Condition] = []
    if query.group_ids is not None:
        ids = list(query.group_ids)
        chunks = [ids[i : i + 100] for i in range(0, len(ids), 100)] or [[""]]
        parts.append(_any([ResourceItem.group_id.is_in(*chunk) for chunk in chunks]))
    if query.ungrouped:
        parts.append(ResourceItem.group_id.does_not_exist())
    labels: list[Condition] = [ResourceItem.labels.contains(lb) for lb in query.labels]
    if labels and query.label_match == "any":
        parts.append(_any(labels))
    else:
        parts += labels
    return parts


def index_of(query: ResourceQuery) -> tuple[str, tuple[str, ...], str]:
    index = "GSI1" if query.sort == "name" else "GSI2"
    keys = ("PK", "SK", f"{index}PK", f"{index}SK")
    scope = f"resources:{index}:{'desc' if query.descending else 'asc'}"
    return index, keys, scope


def list_page(
    codec: CursorCodec,
    query: ResourceQuery,
    limit: int,
    cursor: str | None,
    *,
    now: datetime,
    keep: PageFilter | None = None,
) -> ResourcePage:
    """A page from the process's catalogue copy when a `keep` filter may drop most of what is
    listed (issue 16: snapshot.py), else from the index. Both list the same resources in
    the same order (a cursor of one continues in the other); the copy fills a page in one
    request however much `keep` drops."""
    if keep is not None:
        ordered = snapshot.COPIES.current(index_of(query)[0])
        if ordered is not None:
            return page_from_copy(ordered, codec, query, limit, cursor, now=now, keep=keep)
    return page_from_index(codec, query, limit, cursor, now=now, keep=keep)


def page_from_copy(
    ordered: snapshot.Ordered,
    codec: CursorCodec,
    query: ResourceQuery,
    limit: int,
    cursor: str | None,
    *,
    now: datetime,
    keep: PageFilter,
) -> ResourcePage:
    """`page_from_index` over the catalogue copy: the same filter in Python, `keep` on
    growing chunks of the candidates (as the index path's pages grow)."""
    index, key_names, scope = index_of(query)
    start = codec.decode(cursor, scope=scope)
    after = str(start[f"{index}SK"]["S"]) if start else None
    matches = raw_filter(query, now)
    candidates = (r for r in ordered.after(after, descending=query.descending) if matches(r))
    found: list[Resource] = []
    for read in itertools.count():
        chunk = list(itertools.islice(candidates, _keep_page_size(read)))
        if not chunk:
            break
        resources = [from_raw(raw) for raw in chunk]
        kept = {r.resource_id for r in keep(resources)}
        for position, (raw, resource) in enumerate(zip(chunk, resources, strict=True)):
            if resource.resource_id not in kept:
                continue
            found.append(resource)
            if len(found) == limit:
                more = position < len(chunk) - 1 or next(candidates, None) is not None
                last = codec.encode(raw_key(raw, key_names), scope=scope) if more else None
                return ResourcePage(found, last)
    return ResourcePage(found, None)


def page_from_index(
    codec: CursorCodec,
    query: ResourceQuery,
    limit: int,
    cursor: str | None,
    *,
    now: datetime,
    keep: PageFilter | None = None,
) -> ResourcePage:
    bind()
    index, key_names, scope = index_of(query)
    start = codec.decode(cursor, scope=scope)
    condition = filter_condition(query, now)
    found: list[Resource] = []
    page_size = min(100, max(limit + 1, 25))
    for read in range(MAX_READS):
        page = _read(
            index,
            condition,
            start,
            page_size=_keep_page_size(read) if keep else page_size,
            forward=not query.descending,
        )
        raws: list[dict[str, Any]] = page.get("Items", [])
        resources = [from_raw(raw) for raw in raws]
        kept = {r.resource_id for r in (keep(resources) if keep else resources)}
        for position, (raw, resource) in enumerate(zip(raws, resources, strict=True)):
            if resource.resource_id not in kept:
                continue
            found.append(resource)
            if len(found) == limit:
                more = position < len(raws) - 1 or "LastEvaluatedKey" in page
                last = codec.encode(raw_key(raw, key_names), scope=scope) if more else None
                return ResourcePage(found, last)
        start = page.get("LastEvaluatedKey")
        if start is None:
            return ResourcePage(found, None)
    return ResourcePage(found, codec.encode(start, scope=scope))


def _keep_page_size(read: int) -> int:
    """A `keep` filter may drop most of a page (the busy-window search, search16): pages of
    100, doubling while the caller's page is not full (100, 200, 400, 800, 800...), so one
    request fills it in a few DynamoDB calls even when nearly every candidate is dropped."""
    return min(KEEP_PAGE_MAX, 100 << read)


def _read(
    index: str,
    condition: Condition | None,
    start: dict[str, Any] | None,
    *,
    page_size: int,
    forward: bool,
) -> dict[str, Any]:
    connection = ResourceItem._get_connection()
    result: dict[str, Any] = connection.query(
        RESOURCES_PARTITION,
        filter_condition=condition,
        index_name=index,
        limit=page_size,
        exclusive_start_key=start,
        scan_index_forward=forward,
    )
    return result
