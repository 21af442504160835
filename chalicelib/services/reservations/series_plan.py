"""A series request, the plan it is worked into, and the result (services/.../series.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import Reservation, TimeRange
from chalicelib.domain.reservations.conflicts import Buffers
from chalicelib.domain.reservations.series import Series
from chalicelib.store.reservations.idempotency import IdempotencyClaim


@dataclass(frozen=True)
class SeriesRequest:
    resource_id: str
    start_time: datetime
    end_time: datetime
    rrule: str | None = None
    simple: Mapping[str, Any] | None = None  # the old API's frequency/interval/days/end
    exdates: Sequence[date | datetime] = ()
    notes: str = ""
    override: bool = False
    # all_or_nothing: any taken occurrence refuses the series (409 naming each one);
    # skip_conflicts: occurrences already taken at request time are left out and reported.
    conflict_policy: str = "all_or_nothing"


@dataclass(frozen=True)
class SeriesResult:
    series: Series
    occurrences: list[Reservation]
    replayed: bool = False
    skipped: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SeriesPlan:
    """One create request as it is worked out step by step."""

    principal: Principal
    request: SeriesRequest
    first: TimeRange
    rule: str
    now: datetime
    claim: IdempotencyClaim | None = None
    resource: Resource | None = None
    windows: list[TimeRange] = field(default_factory=list)
    buffers: Buffers = field(default_factory=Buffers)
    overridden: set[str] = field(default_factory=set)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def queued(self) -> bool:
        """Its occurrences will await approval (they do not block other requests)."""
        return self.resource is not None and self.resource.requires_approval

    @property
    def catalogued(self) -> Resource:
        assert self.resource is not None, "the resource is read before it is used"
        return self.resource
