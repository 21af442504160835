"""Request/response models of recurring series."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.api.schemas.reservations import ReservationOut, ResourceId
from chalicelib.domain.reservations.series import SeriesStatus
from chalicelib.services.reservations.series import SeriesResult


class RecurrenceEnd(Strict):
    count: int | None = Field(default=None, ge=1, le=100)
    until: date | None = Field(default=None, description="Inclusive, in the resource's zone.")


class SimpleRecurrence(Strict):
    """The old product's form; `rrule` takes any RFC 5545 rule instead."""

    frequency: Literal["daily", "weekly", "monthly"]
    interval: int | None = Field(default=None, ge=1, le=365)
    days_of_week: list[int] | None = Field(default=None, description="0 = Monday ... 6 = Sunday")
    end: RecurrenceEnd | None = None


class SeriesCreate(Strict):
    """The first occurrence (`start_time`, `end_time`) and a rule: `rrule` (RFC 5545, e.g.
    `FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10`) or `recurrence`. Occurrences keep their local time
    of day in the resource's zone across DST. At most 100 occurrences."""

    resource_id: ResourceId
    start_time: UtcDatetime
    end_time: UtcDatetime
    rrule: str | None = Field(default=None, min_length=1, max_length=500)
    recurrence: SimpleRecurrence | None = None
    exdates: list[date | UtcDatetime] = Field(default_factory=list, max_length=100)
    notes: str = Field(default="", max_length=1000)
    override: bool = False
    conflict_policy: Literal["all_or_nothing", "skip_conflicts"] = Field(
        default="all_or_nothing",
        description=(
            "`all_or_nothing`: any occurrence already taken refuses the whole series (409 "
            "listing each); `skip_conflicts`: those occurrences are left out and listed in "
            "`skipped` (409 only if every occurrence is taken)."
        ),
    )

    @model_validator(mode="after")
    def _one_rule(self) -> SeriesCreate:
        if (self.rrule is None) == (self.recurrence is None):
            raise ValueError("give exactly one of 'rrule' and 'recurrence'")
        return self

    def simple(self) -> dict[str, Any] | None:
        if self.recurrence is None:
            return None
        return self.recurrence.model_dump(exclude_none=True)


class SeriesCancel(Strict):
    reason: str = Field(default="", max_length=500)
    scope: Literal["future", "all", "following"] = Field(
        default="future",
        description=(
            "`future`: occurrences not started yet (default); `all`: every occupying one; "
            "`following`: `from_reservation_id` and every later occurrence (the series stays "
            "active for the earlier ones). To cancel one occurrence, cancel that reservation."
        ),
    )
    from_reservation_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _from_goes_with_following(self) -> SeriesCancel:
        if (self.scope == "following") != (self.from_reservation_id is not None):
            raise ValueError("'from_reservation_id' is required with, and only with, 'following'")
        return self


class SeriesOut(BaseModel):
    series_id: str
    resource_id: str
    user_id: str
    rrule: str
    status: SeriesStatus
    start_time: UtcDatetime
    end_time: UtcDatetime
    notes: str
    created_at: UtcDatetime
    cancellation_reason: str | None
    occurrences: list[ReservationOut]
    skipped: list[dict[str, Any]] = Field(default_factory=list)

    @classmethod
    def from_result(cls, result: SeriesResult) -> SeriesOut:
        series = result.series
        return cls(
            series_id=series.series_id,
            resource_id=series.resource_id,
            user_id=series.user_id,
            rrule=series.rule,
            status=series.status,
            start_time=series.first.start,
            end_time=series.first.end,
            notes=series.notes,
            created_at=series.created_at,
            cancellation_reason=series.cancel_reason or None,
            occurrences=[ReservationOut.from_domain(r) for r in result.occurrences],
            skipped=result.skipped,
        )
