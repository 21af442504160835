"""A recurring series: one request that books many occurrences, all or nothing.

The series item is written first (`creating`), then its occurrences in chunks (a DynamoDB
transaction holds at most 100 items); it becomes `active` only when every occurrence is
booked. If a later chunk loses a race, the occurrences already written are cancelled again and
the series ends `failed`, so the user never holds half a series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.reservations import TimeRange


class SeriesStatus(StrEnum):
    CREATING = "creating"  # occurrences are being written; not yet the user's
    ACTIVE = "active"
    FAILED = "failed"  # creation was rolled back; `failure` says why
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Series:
    series_id: str
    resource_id: str
    user_id: str
    rule: str  # RFC 5545 RRULE, as expanded
    first: TimeRange  # the first occurrence as requested
    status: SeriesStatus
    created_at: datetime
    occurrence_ids: tuple[str, ...] = ()
    notes: str = ""
    exdates: tuple[str, ...] = ()  # ISO dates / instants, as given
    failure: dict[str, Any] = field(default_factory=dict)
    cancel_reason: str = ""
    version: int = 0
