"""The resource repository: reads for everyone (including the booking path) and the writes.

Every write is one transaction built by `plan_change(old, new)`: the resource item (conditional
on its version, or on not existing yet), its unique-name item, its tag memberships and
counters, the catalogue counters and its maintenance marker all move together, so a name is
never taken twice and a counter never drifts from the items it counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource
from chalicelib.domain.catalog.rules import ResourceQuery
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.timeutil import iso_z
from chalicelib.store import audit_stamp, dynamo
from chalicelib.store.catalog import blackouts as blackout_store
from chalicelib.store.catalog import groups as group_store
from chalicelib.store.catalog import lookups as resource_lookups
from chalicelib.store.catalog import query as resource_query
from chalicelib.store.catalog import settings_items
from chalicelib.store.catalog import version as catalogue_version
from chalicelib.store.catalog.items import (
    FOREVER,
    MAINTENANCE_PK,
    META,
    NAME_SK,
    STATS_PK,
    STATS_SK,
    TAGS_PK,
    MaintenanceItem,
    ResourceItem,
    ResourceNameItem,
    StatsItem,
    TagCountItem,
    TagMemberItem,
    from_item,
    member_sk,
    name_pk,
    resource_pk,
    tag_counter_sk,
    tag_pk,
    to_item,
)
from chalicelib.store.catalog.query import PageFilter, ResourcePage
from chalicelib.store.pagination import CursorCodec
from chalicelib.store.reservations import booking_tx, occupied_by
from chalicelib.store.table import bind
from chalicelib.store.transact import Tx


def not_found(resource_id: str) -> NotFound:
    return NotFound(
        f"resource '{resource_id}' does not exist",
        code="resource_not_found",
        details={"resource_id": resource_id},
    )


@dataclass
class Plan:
    """Writes of one or more resource changes; counters are summed so each is touched once."""

    tx: Tx = field(default_factory=Tx)
    tag_deltas: Counter[str] = field(default_factory=Counter)
    total: int = 0
    enabled: int = 0


def plan_change(
    plan: Plan, old: Resource | None, new: Resource | None, *, deleting: bool = False
) -> None:
    _plan_resource(plan.tx, old, new, deleting)
    _plan_name(plan.tx, old, new)
    _plan_tags(plan, old, new)
    _plan_maintenance(plan.tx, old, new)
    # Locations (catalog14): the group counters move with the resource.
    group_store.plan_resource_move(
        plan.tx, old.group_id if old else None, new.group_id if new else None
    )
    plan.total += (new is not None) - (old is not None)
    plan.enabled += int(new is not None and new.enabled) - int(old is not None and old.enabled)


def _plan_resource(tx: Tx, old: Resource | None, new: Resource | None, deleting: bool) -> None:
    if old is None and new is not None:
        tx.put(audit_stamp.stamp(to_item(new)), ResourceItem.PK.does_not_exist(), "resource")
        tx.on_fail(
            "resource", lambda: Conflict("this resource id is taken", code="resource_exists")
        )
        return
    assert old is not None
    same_version = ResourceItem.version == old.version
    if new is None:
        tx.delete(ResourceItem(PK=resource_pk(old.resource_id), SK=META), same_version, "resource")
    else:
        item = audit_stamp.stamp(to_item(new, deleting=deleting), for_delete=deleting)
        tx.put(item, same_version, "resource")
    tx.on_fail("resource", lambda: _stale(old))


def _stale(old: Resource) -> Conflict:
    return Conflict(
        f"the resource changed since version {old.version}; reload it and retry",
        code="version_conflict",
        details={"resource_id": old.resource_id, "version": old.version},
    )


def _plan_name(tx: Tx, old: Resource | None, new: Resource | None) -> None:
    before = name_pk(old.name) if old else None
    after = name_pk(new.name) if new else None
    if before == after:
        return
    if old is not None and before is not None:
        owned = ResourceNameItem.resource_id == old.resource_id
        tx.delete(ResourceNameItem(PK=before, SK=NAME_SK), owned, "old_name")
    if new is not None and after is not None:
        item = ResourceNameItem(PK=after, SK=NAME_SK, resource_id=new.resource_id)
        tx.put(item, ResourceNameItem.PK.does_not_exist(), "name")
        name = new.name
        tx.on_fail(
            "name",
            lambda: Conflict(
                f"a resource named '{name}' already exists",
                code="resource_name_taken",
                details={"name": name},
            ),
        )


def _resource_id(old: Resource | None, new: Resource | None) -> str:
    either = new or old
    assert either is not None
    return either.resource_id


def _plan_tags(plan: Plan, old: Resource | None, new: Resource | None) -> None:
    before = set(old.tags) if old else set()
    after = set(new.tags) if new else set()
    rid = _resource_id(old, new)
    for tag in sorted(after - before):
        member = TagMemberItem(PK=tag_pk(tag), SK=member_sk(rid), tag=tag, resource_id=rid)
        plan.tx.put(member, None, f"member:{tag}")
        plan.tag_deltas[tag] += 1
    for tag in sorted(before - after):
        plan.tx.delete(TagMemberItem(PK=tag_pk(tag), SK=member_sk(rid)), None, f"member:{tag}")
        plan.tag_deltas[tag] -= 1


def _marker(resource: Resource | None) -> tuple[str, bool] | None:
    if resource is None or resource.maintenance is None:
        return None
    reset_at = resource.maintenance.auto_reset_at
    return (FOREVER if reset_at is None else iso_z(reset_at)), resource.enabled


def _plan_maintenance(tx: Tx, old: Resource | None, new: Resource | None) -> None:
    before, after = _marker(old), _marker(new)
    if before == after:
        return
    rid = _resource_id(old, new)
    if after is None:
        tx.delete(MaintenanceItem(PK=MAINTENANCE_PK, SK=member_sk(rid)), None, "maintenance")
    else:
        tx.put(
            MaintenanceItem(
                PK=MAINTENANCE_PK,
                SK=member_sk(rid),
                resource_id=rid,
                until=after[0],
                enabled=after[1],
            ),
            None,
            "maintenance",
        )


def finish(plan: Plan) -> Tx:
    """Add the summed counter updates to the plan's transaction and return it."""
    for tag, delta in sorted(plan.tag_deltas.items()):
        if delta:
            counter = TagCountItem(PK=TAGS_PK, SK=tag_counter_sk(tag))
            actions = [
                TagCountItem.uses.add(delta),
                TagCountItem.type.set(TagCountItem),
                TagCountItem.tag.set(tag),
            ]
            plan.tx.update(counter, actions, None, f"tag:{tag}")
    if plan.total or plan.enabled:
        stats = StatsItem(PK=STATS_PK, SK=STATS_SK)
        actions = [
            StatsItem.total.add(plan.total),
            StatsItem.enabled.add(plan.enabled),
            StatsItem.type.set(StatsItem),
        ]
        plan.tx.update(stats, actions, None, "stats")
    return plan.tx


def commit_change(old: Resource | None, new: Resource | None, *, deleting: bool = False) -> None:
    plan = Plan()
    plan_change(plan, old, new, deleting=deleting)
    if old is None and new is not None:  # a new resource starts with no blackouts of its own
        plan.tx.put(blackout_store.empty_count(new.resource_id), None, "blackout_count")
    commit(plan)
    forget_unused_tags(plan)


def commit(plan: Plan) -> None:
    """The one way resource items are written: the plan's transaction, then the catalogue
    version (other processes' copies of the listing are stale from now on: snapshot.py)."""
    finish(plan).commit()
    catalogue_version.bump_after_write()


def forget_unused_tags(plan: Plan) -> None:
    """Counters of tags that lost a resource may have reached zero: remove those (each delete
    is conditional on `uses <= 0`, so a concurrent tagging keeps its counter)."""
    for tag, delta in plan.tag_deltas.items():
        if delta < 0:
            resource_lookups.drop_counter_if_unused(tag)


class ResourceStore:
    """What other parts of the app read about resources, and the catalogue's own writes."""

    def __init__(self, cursors: CursorCodec) -> None:
        self._cursors = cursors

    # --- reads ------------------------------------------------------------------------------

    def find(self, resource_id: str, *, include_deleting: bool = False) -> Resource | None:
        bind()
        try:
            item = ResourceItem.get(resource_pk(resource_id), META, consistent_read=True)
        except ResourceItem.DoesNotExist:
            return None
        if item.deleting and not include_deleting:
            return None
        return from_item(item)

    def get(self, resource_id: str) -> Resource:
        """The resource, strongly consistent; NotFound (404 `resource_not_found`) otherwise."""
        resource = self.find(resource_id)
        if resource is None:
            raise not_found(resource_id)
        return resource

    def get_many(self, resource_ids: Iterable[str]) -> dict[str, Resource]:
        """Resources by id (missing ones are simply absent), one BatchGet per 100 ids."""
        bind()
        keys = sorted({(resource_pk(rid), META) for rid in resource_ids})
        if not keys:
            return {}
        items = ResourceItem.batch_get(keys, consistent_read=True)
        return {item.resource_id: from_item(item) for item in items if not item.deleting}

    # bulk16: a bulk request's resources with their own-blackout markers, one BatchGetItem.
    def get_many_for_booking(self, resource_ids: Iterable[str]) -> dict[str, Resource]:
        """`get_many` plus each resource's blackout marker (as `get_for_booking` reads it), so
        the booking path skips the blackout query of resources with none of their own."""
        ids = list(dict.fromkeys(resource_ids))
        if not ids:
            return {}
        bind()
        metas = [{"PK": {"S": resource_pk(rid)}, "SK": {"S": META}} for rid in ids]
        markers = [blackout_store.count_key(rid) for rid in ids]
        found = dynamo.batch_get(str(ResourceItem.Meta.table_name), metas + markers)
        resources: dict[str, Resource] = {}
        for rid, marker in zip(ids, markers, strict=True):
            raw = found.get((resource_pk(rid), META))
            item = ResourceItem.from_raw_data(raw) if raw else None
            if item is None or item.deleting:
                continue
            counted = found.get((marker["PK"]["S"], marker["SK"]["S"]))
            own = blackout_store.count_from_raw(counted)
            resources[rid] = replace(from_item(item), own_blackouts=own)
        return resources

    def list_page(
        self,
        filters: ResourceQuery,
        limit: int,
        cursor: str | None,
        *,
        now: datetime,
        keep: PageFilter | None = None,
    ) -> ResourcePage:
        """One page in name or creation order; cost bounded by the page (see resource_query)."""
        return resource_query.list_page(self._cursors, filters, limit, cursor, now=now, keep=keep)

    def get_for_booking(
        self, resource_id: str, days: Sequence[date]
    ) -> tuple[Resource, dict[date, int | None]]:
        """`get(resource_id)` and the booking invariant's day versions of `days`, in ONE
        strongly consistent BatchGetItem (one DynamoDB call less per booking attempt)."""
        resource, versions, _ = self.read_for_booking(resource_id, days)
        return resource, versions

    def read_for_booking(
        self, resource_id: str, days: Sequence[date]
    ) -> tuple[Resource, dict[date, int | None], occupied_by.Links]:
        """`get_for_booking` plus the resource's composite links, in the same BatchGetItem
        (issue 16: one call less per create; the transaction guards the links, see
        store/reservations/occupied_by.py `guard`)."""
        found, versions = booking_tx.read_with_versions(
            resource_id,
            days,
            {"PK": {"S": resource_pk(resource_id)}, "SK": {"S": META}},
            blackout_store.count_key(resource_id),
            occupied_by.links_key(resource_id),
        )
        links = occupied_by.links_from_raw(resource_id, found[2])
        raw = found[0]
        if raw is None:
            raise not_found(resource_id)
        item = ResourceItem.from_raw_data(raw)
        if item.deleting:
            raise not_found(resource_id)
        resource = replace(from_item(item), own_blackouts=blackout_store.count_from_raw(found[1]))
        return resource, versions, links

    def blackouts_for(self, resource: Resource, start_date: date, end_date: date) -> list[Blackout]:
        """The blackouts that may apply to a booking of `resource` between the dates: only the
        global ones (cached) when its marker says it has none of its own, which spares the
        booking path a query."""
        if resource.own_blackouts == 0:
            return blackout_store.global_between_cached(start_date, end_date)
        return self.blackouts_between(resource.resource_id, start_date, end_date)

    def hours_for(self, resource: Resource) -> BusinessHours | None:
        """The resource's own hours, else the global default (reused for up to a few
        seconds, see store/catalog/reference_cache.py); None means always open."""
        if resource.business_hours is not None:
            return resource.business_hours
        return settings_items.default_hours_cached()

    def blackouts_between(
        self, resource_id: str, start_date: date, end_date: date
    ) -> list[Blackout]:
        """Blackouts of this resource and global ones touching [start_date, end_date] (the
        global ones reused for up to a few seconds, see store/catalog/reference_cache.py)."""
        return blackout_store.between_cached(resource_id, start_date, end_date)

    # --- writes -----------------------------------------------------------------------------

    def create(self, resource: Resource) -> Resource:
        commit_change(None, resource)
        return resource

    def save(self, old: Resource, new: Resource) -> Resource:
        """Write `new` if the stored version is still `old.version`; returns the stored state."""
        stored = replace(new, version=old.version + 1)
        commit_change(old, stored)
        return stored

    def mark_deleting(self, resource: Resource) -> Resource:
        """Tombstone: hidden from reads and lists while its reservations are cancelled."""
        stored = replace(resource, version=resource.version + 1)
        commit_change(resource, stored, deleting=True)
        return stored

    def delete(self, resource: Resource) -> None:
        commit_change(resource, None)
        blackout_store.purge(resource.resource_id)

    # --- tags and counters ------------------------------------------------------------------

    def tag_page(self, limit: int, cursor: str | None) -> tuple[list[tuple[str, int]], str | None]:
        return resource_lookups.tag_page(self._cursors, limit, cursor)

    def tag_count(self, tag: str) -> int:
        return resource_lookups.tag_count(tag)

    def tag_members(self, tag: str, limit: int) -> list[str]:
        return resource_lookups.member_ids(tag, limit)

    def forget_tag_if_unused(self, tag: str) -> None:
        resource_lookups.drop_counter_if_unused(tag)

    def counts(self, now: datetime) -> resource_lookups.CatalogCounts:
        return resource_lookups.catalog_counts(now)

    def names_taken(self, names: Sequence[str]) -> set[str]:
        return resource_lookups.names_taken(names)


__all__ = [
    "Plan",
    "ResourcePage",
    "ResourceStore",
    "commit",
    "commit_change",
    "finish",
    "plan_change",
]
