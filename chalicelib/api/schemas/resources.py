"""Request and response models of the resource catalogue, mapped explicitly to the domain."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.api.schemas.common import Page, PageQuery, Strict, UtcDatetime
from chalicelib.domain.catalog.hours import parse_week, render_week
from chalicelib.domain.catalog.resources import (
    Blackout,
    BookingPolicy,
    BusinessHours,
    Location,
    Maintenance,
    ResourceStatus,
)
from chalicelib.domain.catalog.rules import ResourceDraft, ResourceQuery
from chalicelib.domain.principal import Principal, visible_to
from chalicelib.services.catalog.resources import ResourceView

_MINUTES_MAX = 7 * 24 * 60
_POLICY_FIELDS = {
    "min_duration_minutes": ("min_duration", "minutes"),
    "max_duration_minutes": ("max_duration", "minutes"),
    "buffer_before_minutes": ("buffer_before", "minutes"),
    "buffer_after_minutes": ("buffer_after", "minutes"),
    "booking_horizon_days": ("horizon", "days"),
    "min_notice_minutes": ("min_notice", "minutes"),
}


class LocationIn(Strict):
    building: str = Field(default="", max_length=100)
    floor: str = Field(default="", max_length=100)
    room: str = Field(default="", max_length=100)

    def to_domain(self) -> Location:
        return Location(self.building, self.floor, self.room)


class ResourceCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    capacity: int = Field(default=1, ge=1, le=100_000)
    location: LocationIn = Field(default_factory=LocationIn)
    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    enabled: bool = True
    requires_approval: bool = False
    approvers: list[str] = Field(default_factory=list, max_length=50)
    min_duration_minutes: int = Field(default=15, ge=1, le=_MINUTES_MAX)
    max_duration_minutes: int = Field(default=24 * 60, ge=1, le=_MINUTES_MAX)
    buffer_before_minutes: int = Field(default=0, ge=0, le=1440)
    buffer_after_minutes: int = Field(default=0, ge=0, le=1440)
    booking_horizon_days: int = Field(default=365, ge=1, le=1825)
    min_notice_minutes: int = Field(default=0, ge=0, le=43_200)

    def to_draft(self) -> ResourceDraft:
        return ResourceDraft(
            name=self.name,
            description=self.description,
            tags=tuple(self.tags),
            capacity=self.capacity,
            location=self.location.to_domain(),
            timezone=self.timezone,
            enabled=self.enabled,
            requires_approval=self.requires_approval,
            approvers=tuple(self.approvers),
            policy=_policy(BookingPolicy(), {k: getattr(self, k) for k in _POLICY_FIELDS}),
        )


def _policy(base: BookingPolicy, values: dict[str, int]) -> BookingPolicy:
    changes = {
        _POLICY_FIELDS[name][0]: timedelta(**{_POLICY_FIELDS[name][1]: value})
        for name, value in values.items()
    }
    return replace(base, **changes)


class ResourceReplace(ResourceCreate):
    """PUT: the whole editable state; omitted fields go back to their defaults."""

    version: int | None = Field(default=None, ge=0, description="409 if the resource moved on")

    def edit(self, _current: ResourceDraft) -> ResourceDraft:
        return self.to_draft()


class ResourcePatch(Strict):
    """PATCH: only the fields sent change. `version` (optional) guards against lost updates."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    tags: list[str] | None = Field(default=None, max_length=50)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    location: LocationIn | None = None
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    enabled: bool | None = None
    requires_approval: bool | None = None
    approvers: list[str] | None = Field(default=None, max_length=50)
    min_duration_minutes: int | None = Field(default=None, ge=1, le=_MINUTES_MAX)
    max_duration_minutes: int | None = Field(default=None, ge=1, le=_MINUTES_MAX)
    buffer_before_minutes: int | None = Field(default=None, ge=0, le=1440)
    buffer_after_minutes: int | None = Field(default=None, ge=0, le=1440)
    booking_horizon_days: int | None = Field(default=None, ge=1, le=1825)
    min_notice_minutes: int | None = Field(default=None, ge=0, le=43_200)
    version: int | None = Field(default=None, ge=0, description="409 if the resource moved on")

    @model_validator(mode="after")
    def _no_nulls(self) -> ResourcePatch:
        nulls = [name for name in self.model_fields_set if getattr(self, name) is None]
        if nulls:
            raise ValueError(f"fields may be omitted but not null: {', '.join(sorted(nulls))}")
        return self

    def edit(self, current: ResourceDraft) -> ResourceDraft:
        sent = self.model_fields_set - {"version"}
        plain = {"name", "description", "capacity", "timezone", "enabled", "requires_approval"}
        changes: dict[str, Any] = {k: getattr(self, k) for k in sent & plain}
        if "tags" in sent and self.tags is not None:
            changes["tags"] = tuple(self.tags)
        if "approvers" in sent and self.approvers is not None:
            changes["approvers"] = tuple(self.approvers)
        if "location" in sent and self.location is not None:
            parts = {k: getattr(self.location, k) for k in self.location.model_fields_set}
            changes["location"] = replace(current.location, **parts)
        policy = {k: getattr(self, k) for k in sent & set(_POLICY_FIELDS)}
        changes["policy"] = _policy(current.policy, policy)
        return replace(current, **changes)


class AvailabilityIn(Strict):
    enabled: bool


class MaintenanceIn(Strict):
    reason: str = Field(default="", max_length=500)
    auto_reset_hours: int = Field(default=8, ge=0, le=720, description="0: until ended")


class DayIn(Strict):
    opens: str = Field(max_length=5, examples=["08:00"])
    closes: str = Field(max_length=5, examples=["18:00"], description="24:00 = end of day")


class HoursIn(Strict):
    days: dict[str, DayIn | None] | None = Field(
        description="weekday (mon..sun) -> hours; a missing or null day is closed; "
        "null for the whole week: use the default (per resource) / always open (default)"
    )

    def to_domain(self) -> BusinessHours | None:
        if self.days is None:
            return None
        return parse_week({k: (v.model_dump() if v else None) for k, v in self.days.items()})


class BlackoutIn(Strict):
    start_date: date
    end_date: date = Field(description="inclusive; dates in the resource's time zone")
    reason: str = Field(default="", max_length=500)


class TagRenameIn(Strict):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", min_length=1, max_length=64)
    to: str = Field(min_length=1, max_length=64)


# --- query strings --------------------------------------------------------------------------


class ResourceListQuery(PageQuery):
    q: str = Field(default="", max_length=100, description="substring of name or description")
    tags: list[str] = Field(default_factory=list, description="repeatable or comma list; all")
    building: str = Field(default="", max_length=100)
    floor: str = Field(default="", max_length=100)
    capacity_min: int | None = Field(default=None, ge=1, le=100_000)
    status: ResourceStatus | None = None
    enabled: bool | None = None
    sort: Literal["name", "created"] = "name"
    order: Literal["asc", "desc"] = "asc"
    # Locations and labels (catalog14).
    group: str = Field(default="", max_length=64, description="a group id: its whole subtree")
    ungrouped: bool = Field(default=False, description="only resources in no group")
    labels: list[str] = Field(default_factory=list, description="label ids (repeat or commas)")
    label_match: Literal["all", "any"] = "all"

    @field_validator("labels")
    @classmethod
    def _split_label_commas(cls, value: list[str]) -> list[str]:
        labels = [part.strip() for item in value for part in item.split(",") if part.strip()]
        if len(labels) > 20:
            raise ValueError("at most 20 labels")
        return labels

    @field_validator("tags")
    @classmethod
    def _split_commas(cls, value: list[str]) -> list[str]:
        tags = [part.strip() for item in value for part in item.split(",") if part.strip()]
        if len(tags) > 20:
            raise ValueError("at most 20 tags")
        return tags

    def to_domain(self) -> ResourceQuery:
        return ResourceQuery(
            q=self.q,
            tags=tuple(self.tags),
            building=self.building,
            floor=self.floor,
            capacity_min=self.capacity_min,
            status=self.status,
            enabled=self.enabled,
            sort=self.sort,
            descending=self.order == "desc",
            group=self.group,
            ungrouped=self.ungrouped,
            labels=tuple(self.labels),
            label_match=self.label_match,
        )


class DeleteQuery(Strict):
    force: bool = Field(default=False, description="cancel future reservations and delete")


class DateRangeQuery(Strict):
    model_config = ConfigDict(populate_by_name=True)

    from_: date | None = Field(default=None, alias="from", description="default: today")
    to: date | None = Field(default=None, description="default: a year after 'from'")


# --- responses ------------------------------------------------------------------------------


class LocationOut(BaseModel):
    building: str
    floor: str
    room: str


class MaintenanceOut(BaseModel):
    reason: str
    started_at: UtcDatetime
    auto_reset_at: UtcDatetime | None
    seconds_until_reset: int | None

    @classmethod
    def of(cls, m: Maintenance | None, countdown: int | None) -> MaintenanceOut | None:
        if m is None:
            return None
        return cls(
            reason=m.reason,
            started_at=m.started_at,
            auto_reset_at=m.auto_reset_at,
            seconds_until_reset=countdown,
        )


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


class ResourceOut(BaseModel):
    resource_id: str
    name: str
    description: str
    tags: list[str]
    capacity: int
    location: LocationOut
    timezone: str
    enabled: bool
    status: ResourceStatus = Field(description="live: disabled / maintenance / in_use / available")
    maintenance: MaintenanceOut | None
    requires_approval: bool
    approvers: list[str] | None = Field(description="user ids; shown to administrators only")
    min_duration_minutes: int
    max_duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    booking_horizon_days: int
    min_notice_minutes: int
    has_own_business_hours: bool
    created_at: UtcDatetime | None
    updated_at: UtcDatetime | None
    version: int
    # Locations and labels (catalog14): the group it is in, its label ids.
    group_id: str | None = None
    labels: list[str] = Field(default_factory=list, description="label ids")

    @classmethod
    def of(cls, view: ResourceView, *, private: bool) -> ResourceOut:
        r, report, p = view.resource, view.report, view.resource.policy
        return cls(
            resource_id=r.resource_id,
            name=r.name,
            description=r.description,
            tags=list(r.tags),
            capacity=r.capacity,
            location=LocationOut(**vars(r.location)),
            timezone=r.timezone,
            enabled=r.enabled,
            status=report.status,
            maintenance=MaintenanceOut.of(report.maintenance, report.seconds_until_reset),
            requires_approval=r.requires_approval,
            approvers=list(r.approvers) if private else None,
            min_duration_minutes=_minutes(p.min_duration),
            max_duration_minutes=_minutes(p.max_duration),
            buffer_before_minutes=_minutes(p.buffer_before),
            buffer_after_minutes=_minutes(p.buffer_after),
            booking_horizon_days=p.horizon.days,
            min_notice_minutes=_minutes(p.min_notice),
            has_own_business_hours=r.business_hours is not None,
            created_at=r.created_at,
            updated_at=r.updated_at,
            version=r.version,
            group_id=r.group_id,
            labels=list(r.labels),
        )


ResourcePageOut = Page[ResourceOut]


class CurrentReservationOut(BaseModel):
    reservation_id: str | None = Field(
        description="only for the reservation's owner and administrators"
    )
    end_time: UtcDatetime


class StatusOut(BaseModel):
    resource_id: str
    status: ResourceStatus
    enabled: bool
    maintenance: MaintenanceOut | None
    current_reservation: CurrentReservationOut | None
    checked_at: UtcDatetime

    @classmethod
    def of(cls, view: ResourceView, now: datetime, viewer: Principal | None) -> StatusOut:
        report, occupant = view.report, view.report.occupant
        current = None
        if occupant:
            shown = occupant.reservation_id if visible_to(occupant.user_id, viewer) else None
            current = CurrentReservationOut(reservation_id=shown, end_time=occupant.end)
        return cls(
            resource_id=view.resource.resource_id,
            status=report.status,
            enabled=view.resource.enabled,
            maintenance=MaintenanceOut.of(report.maintenance, report.seconds_until_reset),
            current_reservation=current,
            checked_at=now,
        )


class SummaryOut(BaseModel):
    total: int
    enabled: int
    disabled: int
    maintenance: int = Field(description="enabled resources whose maintenance is in force")
    in_use: int = Field(description="resources with a reservation running now")


class TagOut(BaseModel):
    tag: str
    count: int


TagPageOut = Page[TagOut]


class TagChangeOut(BaseModel):
    updated: int = Field(description="resources rewritten by this request")
    complete: bool = Field(description="false: more remain; repeat the request to continue")


class ImportOut(BaseModel):
    imported: int
    resource_ids: list[str]


Week = dict[str, dict[str, str] | None]


def week(hours: BusinessHours | None) -> Week | None:
    return None if hours is None else render_week(hours)


class HoursOut(BaseModel):
    resource_id: str
    days: Week | None = Field(description="the resource's own week; null: it uses the default")
    source: Literal["resource", "default", "always_open"]
    effective: Week | None = Field(description="the week that applies; null: always open")
    version: int


class DefaultHoursOut(BaseModel):
    days: Week | None = Field(description="null: always open")


class BlackoutOut(BaseModel):
    blackout_id: str
    resource_id: str | None
    scope: Literal["resource", "global"]
    start_date: date
    end_date: date
    reason: str

    @classmethod
    def of(cls, b: Blackout) -> BlackoutOut:
        return cls(
            blackout_id=b.blackout_id,
            resource_id=b.resource_id,
            scope="global" if b.resource_id is None else "resource",
            start_date=b.start_date,
            end_date=b.end_date,
            reason=b.reason,
        )


class DeletedOut(BaseModel):
    resource_id: str
    cancelled_reservations: int
