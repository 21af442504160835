"""Request and response models of availability: free slots, next free window, window search."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.api.schemas.resources import ResourceListQuery
from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.reservations import TimeRange
from chalicelib.services.catalog.availability import DaySlots, NextSlot

_MAX_MINUTES = int(MAX_RESERVATION_SPAN.total_seconds() // 60)


# --- query strings --------------------------------------------------------------------------


class DayQuery(Strict):
    model_config = ConfigDict(populate_by_name=False)

    day: date | None = Field(
        default=None,
        alias="date",
        description="local date (YYYY-MM-DD) in the resource's time zone; default: its today",
    )
    slot_minutes: int | None = Field(
        default=None,
        ge=1,
        le=_MAX_MINUTES,
        description="cut the free time into slots of this length, on a grid starting at the "
        "opening time; omitted: the maximal free intervals",
    )


class NextQuery(Strict):
    duration_minutes: int = Field(ge=1, le=_MAX_MINUTES)
    after: UtcDatetime | None = Field(
        default=None, description="ISO 8601 with an offset; default (and at the earliest): now"
    )


class ResourceSearchQuery(ResourceListQuery):
    """The listing filters plus an optional free window (both bounds or neither)."""

    available_from: UtcDatetime | None = Field(
        default=None, description="with available_until: only resources free for the window"
    )
    available_until: UtcDatetime | None = Field(
        default=None, description=f"after available_from, at most {MAX_RESERVATION_SPAN.days} days"
    )


# --- responses ------------------------------------------------------------------------------


def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="minutes")


class SlotOut(BaseModel):
    start_time: UtcDatetime
    end_time: UtcDatetime
    local_start: str = Field(description="wall clock in the resource's zone, with its offset")
    local_end: str

    @classmethod
    def of(cls, slot: TimeRange, zone: ZoneInfo) -> SlotOut:
        return cls(
            start_time=slot.start,
            end_time=slot.end,
            local_start=_local(slot.start, zone),
            local_end=_local(slot.end, zone),
        )


class DayAvailabilityOut(BaseModel):
    resource_id: str
    timezone: str
    date: date
    day_start: UtcDatetime = Field(description="the local date's first instant")
    day_end: UtcDatetime = Field(description="the next local date's first instant")
    slot_minutes: int | None
    slots: list[SlotOut] = Field(description="free intervals or slots, earliest first")

    @classmethod
    def of(cls, found: DaySlots) -> DayAvailabilityOut:
        zone = ZoneInfo(found.resource.timezone)
        return cls(
            resource_id=found.resource.resource_id,
            timezone=found.resource.timezone,
            date=found.day,
            day_start=found.bounds.start,
            day_end=found.bounds.end,
            slot_minutes=found.slot_minutes,
            slots=[SlotOut.of(slot, zone) for slot in found.slots],
        )


class NextAvailableOut(BaseModel):
    resource_id: str
    timezone: str
    duration_minutes: int
    searched_from: UtcDatetime
    searched_until: UtcDatetime | None = Field(
        description="end of the searched range; null when the start lies beyond the horizon"
    )
    slot: SlotOut | None = Field(description="null: nothing free in the searched range")

    @classmethod
    def of(cls, found: NextSlot) -> NextAvailableOut:
        zone = ZoneInfo(found.resource.timezone)
        return cls(
            resource_id=found.resource.resource_id,
            timezone=found.resource.timezone,
            duration_minutes=int(found.duration.total_seconds() // 60),
            searched_from=found.searched_from,
            searched_until=found.searched_until,
            slot=SlotOut.of(found.slot, zone) if found.slot else None,
        )
