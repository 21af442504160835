"""Audit statistics and filter values (issue 14): query and response models."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict
from chalicelib.domain.pipeline.audit_stats import SeenValue
from chalicelib.services.pipeline.audit_stats import (
    MAX_RANGE_DAYS,
    AuditFilterValues,
    AuditStatistics,
    Tally,
)


class AuditStatsQuery(Strict):
    """UTC days, both ends included. Default: the 30 days up to today (or from `from`)."""

    from_: date | None = Field(default=None, alias="from", description="First UTC day")
    to: date | None = Field(default=None, description=f"Last UTC day (at most {MAX_RANGE_DAYS})")


class CountOut(BaseModel):
    value: str
    count: int

    @classmethod
    def of(cls, tallies: list[Tally]) -> list[CountOut]:
        return [cls(value=t.value, count=t.count) for t in tallies]


class AuditStatsOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    total: int = Field(description="Entries written in the range")
    by_action: list[CountOut] = Field(description="Largest first, at most 50")
    by_actor: list[CountOut] = Field(description="Largest first, at most 50")
    by_entity_type: list[CountOut] = Field(description="Largest first, at most 50")
    by_day: list[CountOut] = Field(description="Days with entries, oldest first")
    complete: bool = Field(description="False when a dimension had more counters than are read")

    @classmethod
    def from_domain(cls, stats: AuditStatistics) -> AuditStatsOut:
        return cls.model_validate(
            {
                "from": stats.first,
                "to": stats.last,
                "total": stats.total,
                "by_action": CountOut.of(stats.by_action),
                "by_actor": CountOut.of(stats.by_actor),
                "by_entity_type": CountOut.of(stats.by_entity_type),
                "by_day": CountOut.of(stats.by_day),
                "complete": stats.complete,
            }
        )


class SeenValueOut(BaseModel):
    value: str
    count: int = Field(description="Entries ever counted with this value")
    last_at: str = Field(description="The newest such entry's time")

    @classmethod
    def of(cls, values: list[SeenValue]) -> list[SeenValueOut]:
        return [cls(value=v.value, count=v.count, last_at=v.last_at) for v in values]


class AuditFilterValuesOut(BaseModel):
    actions: list[SeenValueOut]
    entity_types: list[SeenValueOut]
    actors: list[SeenValueOut]
    complete: bool = Field(description="False when a list was cut at 500 values")

    @classmethod
    def from_domain(cls, values: AuditFilterValues) -> AuditFilterValuesOut:
        return cls(
            actions=SeenValueOut.of(values.actions),
            entity_types=SeenValueOut.of(values.entity_types),
            actors=SeenValueOut.of(values.actors),
            complete=values.complete,
        )
