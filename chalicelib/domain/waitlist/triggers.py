"""Which window an event may have freed, and on which resource (pure).

The waitlist queue receives the events of `topology.WAITLIST_TRIGGERS`. A reservation that
stopped occupying frees its window (a reschedule frees the previous window, possibly on the
previous resource); a maintenance that ended frees everything (None); a new entry is checked
against its own span, which closes the race between a join and a cancel that was processed
before the entry existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import DomainError
from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.events import DomainEvent
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.timeutil import parse_instant

_RESERVATION_FREED = frozenset(
    {
        ev.RESERVATION_CANCELLED,
        ev.RESERVATION_EXPIRED,
        ev.RESERVATION_NO_SHOW,
        ev.APPROVAL_REJECTED,
        ev.WAITLIST_JOINED,
    }
)


@dataclass(frozen=True)
class Freed:
    resource_id: str
    window: TimeRange | None  # None: anything on the resource may have become free


def freed_by(event: DomainEvent) -> Freed | None:
    data = event.data
    if event.name in _RESERVATION_FREED:
        return _freed(data.get("resource_id"), data.get("start_time"), data.get("end_time"))
    if event.name == ev.RESERVATION_RESCHEDULED:
        resource_id = data.get("previous_resource_id") or data.get("resource_id")
        return _freed(resource_id, data.get("previous_start_time"), data.get("previous_end_time"))
    if event.name == ev.RESOURCE_MAINTENANCE_ENDED and data.get("resource_id"):
        return Freed(str(data["resource_id"]), None)
    return None


def _freed(resource_id: Any, start: Any, end: Any) -> Freed | None:
    if not resource_id or not start or not end:
        return None
    try:
        window = TimeRange(parse_instant(str(start)), parse_instant(str(end)))
    except (DomainError, ValueError):
        return None  # a malformed window frees nothing we could offer
    return Freed(str(resource_id), window)
