"""Resource catalogue items: key builders, PynamoDB models and the domain mapping.

Items (single table, see docs/data-model.md):
- resource:        `RESOURCE#<id>` / `META`; GSI1 `RESOURCES` / `<name_key>#<id>` (name order),
                   GSI2 `RESOURCES` / `<created_at>#<id>` (creation order)
- unique name:     `RESOURCE_NAME#<name_key>` / `RESOURCE_NAME` -> resource_id
- tag membership:  `TAG#<tag>` / `RES#<id>`
- tag counter:     `TAGS` / `TAG#<tag>` -> uses
- catalogue stats: `STATS` / `RESOURCES` -> total, enabled
- maintenance:     `MAINTENANCE` / `RES#<id>` -> until, enabled (while a resource has one)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.approval import ApprovalSettings, settings_from_dict
from chalicelib.domain.catalog.hours import parse_week, render_week
from chalicelib.domain.catalog.resources import (
    BookingPolicy,
    BusinessHours,
    Location,
    Maintenance,
    Resource,
)
from chalicelib.domain.timeutil import iso_z
from chalicelib.domain.waitlist.settings import WaitlistSettings
from chalicelib.store.catalog.check_in_text import check_in_from_text, check_in_to_text
from chalicelib.store.table import TableItem

RESOURCES_PARTITION = "RESOURCES"
META = "META"
NAME_SK = "RESOURCE_NAME"
TAGS_PK = "TAGS"
STATS_PK = "STATS"
STATS_SK = "RESOURCES"
MAINTENANCE_PK = "MAINTENANCE"
# An open-ended maintenance sorts after every real instant, so `until > now` is one filter.
FOREVER = "9999-12-31T23:59:59.999Z"


def resource_pk(resource_id: str) -> str:
    return f"RESOURCE#{resource_id}"


def name_pk(name: str) -> str:
    return f"RESOURCE_NAME#{catalog.name_key(name)}"


def approval_to_text(settings: ApprovalSettings | None) -> str | None:
    return None if settings is None else json.dumps(settings.to_dict(), sort_keys=True)


def approval_from_text(text: str | None) -> ApprovalSettings | None:
    return None if not text else settings_from_dict(json.loads(text))


def tag_pk(tag: str) -> str:
    return f"TAG#{tag}"


def member_sk(resource_id: str) -> str:
    return f"RES#{resource_id}"


def tag_counter_sk(tag: str) -> str:
    return f"TAG#{tag}"


def name_order_sk(resource: Resource) -> str:
    return f"{catalog.name_key(resource.name)}#{resource.resource_id}"


def created_order_sk(resource: Resource) -> str:
    created = resource.created_at or datetime(1970, 1, 1, tzinfo=UTC)
    return f"{iso_z(created)}#{resource.resource_id}"


class ResourceItem(TableItem, discriminator="resource"):  # type: ignore[call-arg]
    resource_id = UnicodeAttribute()
    name = UnicodeAttribute()
    name_lower = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    description_lower = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    capacity = NumberAttribute()
    building = UnicodeAttribute(null=True)
    building_key = UnicodeAttribute(null=True)
    floor = UnicodeAttribute(null=True)
    floor_key = UnicodeAttribute(null=True)
    room = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute()
    enabled = BooleanAttribute()
    requires_approval = BooleanAttribute()
    approvers = ListAttribute(of=UnicodeAttribute, null=True)
    approval = UnicodeAttribute(null=True)  # JSON approval setting (issue 10: approvals)
    min_duration_s = NumberAttribute()
    max_duration_s = NumberAttribute()
    buffer_before_s = NumberAttribute()
    buffer_after_s = NumberAttribute()
    horizon_s = NumberAttribute()
    min_notice_s = NumberAttribute()
    hours = UnicodeAttribute(null=True)  # JSON week; absent: the global default applies
    maint_started_at = UnicodeAttribute(null=True)
    maint_reason = UnicodeAttribute(null=True)
    maint_reset_at = UnicodeAttribute(null=True)
    maint_until = UnicodeAttribute(null=True)  # reset_at or FOREVER; for list filters
    group_id = UnicodeAttribute(null=True)
    labels = ListAttribute(of=UnicodeAttribute, null=True)  # label ids (catalog14)
    check_in = UnicodeAttribute(null=True)  # JSON CheckInPolicy; absent: no check-in
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute()
    deleting = BooleanAttribute(null=True)  # tombstone while a forced delete runs
    waitlist = UnicodeAttribute(null=True)  # JSON of WaitlistSettings; absent: the defaults


class ResourceNameItem(TableItem, discriminator="resource_name"):  # type: ignore[call-arg]
    resource_id = UnicodeAttribute()


class TagMemberItem(TableItem, discriminator="resource_tag"):  # type: ignore[call-arg]
    tag = UnicodeAttribute()
    resource_id = UnicodeAttribute()


class TagCountItem(TableItem, discriminator="tag_count"):  # type: ignore[call-arg]
    tag = UnicodeAttribute(null=True)
    uses = NumberAttribute(null=True)  # resources carrying the tag


class StatsItem(TableItem, discriminator="resource_stats"):  # type: ignore[call-arg]
    total = NumberAttribute(null=True)
    enabled = NumberAttribute(null=True)


class MaintenanceItem(TableItem, discriminator="resource_maintenance"):  # type: ignore[call-arg]
    resource_id = UnicodeAttribute()
    until = UnicodeAttribute()
    enabled = BooleanAttribute()


# --- mapping --------------------------------------------------------------------------------


def _seconds(value: timedelta) -> int:
    return int(value.total_seconds())


def _instant(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text.replace("Z", "+00:00"))


def hours_to_text(hours: BusinessHours | None) -> str | None:
    return None if hours is None else json.dumps(render_week(hours), sort_keys=True)


def hours_from_text(text: str | None) -> BusinessHours | None:
    return None if text is None else parse_week(json.loads(text))


def to_item(resource: Resource, *, deleting: bool = False) -> ResourceItem:
    p, loc, m = resource.policy, resource.location, resource.maintenance
    created = resource.created_at or datetime(1970, 1, 1, tzinfo=UTC)
    item = ResourceItem(
        PK=resource_pk(resource.resource_id),
        SK=META,
        resource_id=resource.resource_id,
        name=resource.name,
        name_lower=resource.name.casefold(),
        description=resource.description,
        description_lower=resource.description.casefold(),
        tags=list(resource.tags),
        capacity=resource.capacity,
        building=loc.building,
        building_key=loc.building.casefold(),
        floor=loc.floor,
        floor_key=loc.floor.casefold(),
        room=loc.room,
        timezone=resource.timezone,
        enabled=resource.enabled,
        requires_approval=resource.requires_approval,
        approvers=list(resource.approvers),
        approval=approval_to_text(resource.approval),
        min_duration_s=_seconds(p.min_duration),
        max_duration_s=_seconds(p.max_duration),
        buffer_before_s=_seconds(p.buffer_before),
        buffer_after_s=_seconds(p.buffer_after),
        horizon_s=_seconds(p.horizon),
        min_notice_s=_seconds(p.min_notice),
        hours=hours_to_text(resource.business_hours),
        group_id=resource.group_id,
        labels=list(resource.labels) or None,
        check_in=check_in_to_text(resource.check_in),
        created_at=iso_z(created),
        updated_at=iso_z(resource.updated_at or created),
        version=resource.version,
        waitlist=_waitlist_text(resource.waitlist),
    )
    _set_maintenance(item, m)
    if deleting:
        item.deleting = True
    else:  # a tombstone leaves the listings at once
        item.GSI1PK = item.GSI2PK = RESOURCES_PARTITION
        item.GSI1SK = name_order_sk(resource)
        item.GSI2SK = created_order_sk(resource)
    return item


def _set_maintenance(item: ResourceItem, m: Maintenance | None) -> None:
    if m is None:
        return
    item.maint_started_at = iso_z(m.started_at)
    item.maint_reason = m.reason
    item.maint_reset_at = iso_z(m.auto_reset_at) if m.auto_reset_at else None
    item.maint_until = item.maint_reset_at or FOREVER


def _policy(item: ResourceItem) -> BookingPolicy:
    return BookingPolicy(
        min_duration=timedelta(seconds=int(item.min_duration_s)),
        max_duration=timedelta(seconds=int(item.max_duration_s)),
        buffer_before=timedelta(seconds=int(item.buffer_before_s)),
        buffer_after=timedelta(seconds=int(item.buffer_after_s)),
        horizon=timedelta(seconds=int(item.horizon_s)),
        min_notice=timedelta(seconds=int(item.min_notice_s)),
    )


def _maintenance(item: ResourceItem) -> Maintenance | None:
    started = _instant(item.maint_started_at)
    if started is None:
        return None
    return Maintenance(started, item.maint_reason or "", _instant(item.maint_reset_at))


def from_item(item: ResourceItem) -> Resource:
    return Resource(
        resource_id=item.resource_id,
        name=item.name,
        description=item.description or "",
        tags=tuple(str(tag) for tag in item.tags or ()),
        capacity=int(item.capacity),
        location=Location(item.building or "", item.floor or "", item.room or ""),
        timezone=item.timezone,
        enabled=bool(item.enabled),
        requires_approval=bool(item.requires_approval),
        approvers=tuple(str(a) for a in item.approvers or ()),
        approval=approval_from_text(item.approval),
        policy=_policy(item),
        business_hours=hours_from_text(item.hours),
        maintenance=_maintenance(item),
        group_id=item.group_id,
        labels=tuple(str(label) for label in item.labels or ()),
        check_in=check_in_from_text(item.check_in),
        created_at=_instant(item.created_at),
        updated_at=_instant(item.updated_at),
        version=int(item.version),
        waitlist=WaitlistSettings.from_json(json.loads(item.waitlist) if item.waitlist else None),
    )


def _waitlist_text(settings: WaitlistSettings) -> str | None:
    """Only settings that differ from the defaults are stored (old items stay as they are)."""
    return None if settings == WaitlistSettings() else json.dumps(settings.to_json())


def from_raw(raw: dict[str, Any]) -> Resource:
    """The resource of a raw item (a listing page). Issue 16: through `_RawView`, which
    decodes only the attributes `from_item` reads, each with its own PynamoDB attribute;
    `ResourceItem.from_raw_data` instantiated every attribute of the model through its
    descriptors, the largest Python cost of a busy free-window search.

    Then kept per process by (id, version, audit write id): a busy search decodes the same
    few hundred resources on every request. Every write of a resource item is stamped with a
    fresh write id (a ULID, `audit_stamp`; `repository.commit_change` is the only writer), so
    an item whose write id is known holds exactly the decoded content. An item without one is
    decoded every time. A Resource is immutable, so sharing it is safe."""
    identity = _identity(raw)
    known = _DECODED.get(identity) if identity else None
    if known is not None:
        return known
    resource = from_item(cast(ResourceItem, _RawView(raw)))
    if identity:
        if len(_DECODED) >= DECODED_MAX:
            _DECODED.clear()  # a whole catalogue fits; this only bounds a pathological one
        _DECODED[identity] = resource
    return resource


DECODED_MAX = 20_000
_DECODED: dict[tuple[str, str, str], Resource] = {}


def _identity(raw: dict[str, Any]) -> tuple[str, str, str] | None:
    try:
        return (raw["resource_id"]["S"], raw["version"]["N"], raw["audit_write_id"]["S"])
    except KeyError:
        return None


class _RawView:
    """A read-only ResourceItem over a raw item: `view.name` is what `item.name` would be
    (None when absent; model defaults are never used by from_item)."""

    _ATTRIBUTES: dict[str, Any] = {}

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        attributes = _RawView._ATTRIBUTES or _RawView._load()
        attribute = attributes.get(name)
        if attribute is None:
            raise AttributeError(name)
        value = self._raw.get(attribute.attr_name)
        if value is None or "NULL" in value:
            return None
        if "N" in value:  # what NumberAttribute's json.loads gives, without the decoder
            text = value["N"]
            return int(text) if text.lstrip("-").isdigit() else float(text)
        return attribute.deserialize(attribute.get_value(value))

    @staticmethod
    def _load() -> dict[str, Any]:
        _RawView._ATTRIBUTES.update(ResourceItem.get_attributes())
        return _RawView._ATTRIBUTES


def raw_key(raw: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The LastEvaluatedKey DynamoDB would give for this raw item on an index."""
    return {name: raw[name] for name in names}
