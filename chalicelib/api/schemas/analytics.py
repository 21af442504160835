"""Analytics: query and response models."""

from __future__ import annotations

from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from chalicelib.api.schemas.common import Strict
from chalicelib.domain.catalog.rules import zone_problem

_ID = r"^[A-Za-z0-9_-]{1,64}$"
_TAG = r"^[^\x00-\x1f]{1,64}$"


class RangeQuery(Strict):
    """UTC dates, both included; default: the last 30 days (at most 366)."""

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None


class UtilisationQuery(RangeQuery):
    group: Literal["resource", "tag", "building", "location"] = "resource"
    tag: str | None = Field(default=None, pattern=_TAG)
    building: str | None = Field(default=None, pattern=_TAG, description="only this building")
    location: str | None = Field(
        default=None, pattern=_ID, description="only this location (group id) and its subtree"
    )

    @property
    def only(self) -> dict[str, str | None]:
        return {"building": self.building, "location": self.location}


class PeaksQuery(RangeQuery):
    tz: str = Field(default="UTC", max_length=64)
    resource_id: str | None = Field(default=None, pattern=_ID)

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        problem = zone_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


class PopularQuery(RangeQuery):
    limit: int = Field(default=10, ge=1, le=100)


Figure = float | int | None


class Kpis(BaseModel):
    reservations: int
    booked_hours: float
    checked_in_hours: float
    no_shows: int
    no_show_rate: float | None
    released_hours: float
    released_rebooked_hours: float
    cancellations: int
    cancellation_rate: float | None
    avg_lead_hours: float | None
    avg_cancel_lead_hours: float | None


class Dashboard(Kpis):
    scope: Literal["all", "mine"]
    range_from: date
    range_to: date
    resources: int | None = None
    open_hours: float | None = None
    utilisation: float | None = None


class UtilisationRow(BaseModel):
    resource_id: str | None = None
    name: str | None = None
    tag: str | None = None
    tags: list[str] | None = None
    building: str | None = None
    location_id: str | None = None
    open_hours: float
    booked_hours: float
    utilisation: float | None
    checked_in_hours: float
    reservations: int
    no_shows: int
    no_show_rate: float | None
    released_rebooked_hours: float


class Utilisation(BaseModel):
    range_from: date
    range_to: date
    group: str
    items: list[UtilisationRow]


class DayFigures(Kpis):
    date: date


class BookedVsUsed(BaseModel):
    range_from: date
    range_to: date
    totals: Kpis
    days: list[DayFigures]


class Peaks(BaseModel):
    range_from: date
    range_to: date
    tz: str
    weekdays: list[str]
    matrix: list[list[float]] = Field(description="booked hours [weekday][hour], Monday first")


class Popular(BaseModel):
    range_from: date
    range_to: date
    items: list[UtilisationRow]


class Cancellations(BaseModel):
    range_from: date
    range_to: date
    reservations: int
    cancellations: int
    cancellation_rate: float | None
    avg_lead_hours: float | None
    avg_cancel_lead_hours: float | None


class UserPattern(Kpis):
    user_id: str


class UserPatterns(BaseModel):
    range_from: date
    range_to: date
    items: list[UserPattern]
