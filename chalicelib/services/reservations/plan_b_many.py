"""Plan B for requests of several windows (a series or a bulk request, issue 13): the refused
occurrences / items get their own ranked alternatives, each a ready-to-send single booking.

Bounded so a refusal stays cheap: the first `MAX_WINDOWS` refused windows are searched,
and each keeps at most `PER_WINDOW` alternatives (every search is a read-only Plan B of one
window: services/reservations/plan_b.py). A refusal of the request as a whole (a quota total)
gets none: no single occurrence's move would fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import DomainError, RuleViolation
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.conflicts import ReservationConflict
from chalicelib.services.reservations.plan_b import PlanB

MAX_WINDOWS = 3
PER_WINDOW = 3


def attach(
    plan_b: PlanB | None,
    principal: Principal,
    refused: ReservationConflict | RuleViolation,
    windows: Mapping[int, tuple[Resource, TimeRange]],
    now: datetime,
    *,
    group: str = "occurrences",
    key: str = "occurrence",
) -> None:
    """Add `alternatives` to each refused window of `refused` (listed under `group`, its index
    into `windows` under `key`: series `occurrences`/`occurrence`, bulk `items`/`index`)."""
    if plan_b is None:
        return
    for subject in _refused_subjects(refused, group)[:MAX_WINDOWS]:
        index = subject.get(key)
        if not isinstance(index, int) or index not in windows:
            continue
        resource, window = windows[index]
        try:
            found = plan_b.alternatives(principal, resource, window, now)
        except DomainError:
            continue  # nothing sensible to offer for this one
        subject["alternatives"] = [a.as_dict() for a in found[:PER_WINDOW]]
    if isinstance(refused, ReservationConflict):
        refused.details = refused.details_for(None)


def _refused_subjects(
    refused: ReservationConflict | RuleViolation, group: str
) -> list[dict[str, Any]]:
    """The mutable per-window descriptions of the refusal, in order."""
    if isinstance(refused, ReservationConflict):
        return [s for _, s in sorted(refused.subjects.items()) if isinstance(s, dict)]
    details = refused.details
    if isinstance(details, dict) and isinstance(details.get(group), list):
        return [s for s in details[group] if isinstance(s, dict)]
    return []
