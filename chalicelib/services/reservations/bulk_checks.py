"""The read-only half of a bulk booking: every item checked, every problem reported at once.

Per item, the first problem found, in this order: the window's shape, the resource exists, the
booking rules (hours, blackouts, notice, duration...), overlap with another item of the same
request (with the resource's buffers), and finally the table (a strongly consistent read of
each resource's neighbours; the write re-checks it inside the transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource
from chalicelib.domain.errors import InvalidInput, NotFound, RuleViolation
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import TimeRange, booking_rules, conflicts
from chalicelib.domain.reservations.bulk import ItemError
from chalicelib.domain.reservations.conflicts import (
    CONFLICT_MESSAGE,
    Buffers,
    Occupant,
    conflict_listing,
    find_conflicts,
)
from chalicelib.services.reservations import fan_out
from chalicelib.services.reservations.booking import buffers_of, to_millis
from chalicelib.services.reservations.ports import ResourceCatalog

# `ReservationReads.occupants`: the resource's neighbours of the windows (read only).
Occupants = Callable[[str, Sequence[TimeRange], Buffers, datetime], list[Occupant]]
DayVersions = Callable[[Mapping[str, Sequence[date]]], dict[str, dict[date, int | None]]]


@dataclass(frozen=True)
class BulkItem:
    resource_id: str
    start_time: datetime
    end_time: datetime
    notes: str = ""
    # Whose booking it is (an admin's CSV import books for others); None = the caller.
    user_id: str | None = None


@dataclass(frozen=True)
class BulkRequest:
    items: tuple[BulkItem, ...]
    dry_run: bool = False
    override: bool = False


@dataclass(frozen=True)
class ResourceContext:
    resource: Resource
    hours: BusinessHours | None
    blackouts: Sequence[Blackout]
    buffers: Buffers


@dataclass
class Evaluation:
    resource_ids: list[str]
    windows: list[TimeRange | None]
    contexts: dict[str, ResourceContext] = field(default_factory=dict)
    errors: dict[int, ItemError] = field(default_factory=dict)
    overridden: dict[int, list[str]] = field(default_factory=dict)
    # Day versions read BEFORE the occupants below (bulk16): the write's first attempt
    # uses both instead of reading them again (booking_tx.Occupation.known_occupants).
    versions: dict[str, dict[date, int | None]] = field(default_factory=dict)
    occupants: dict[str, list[Occupant]] = field(default_factory=dict)

    def valid(self, resource_id: str) -> list[int]:
        """Indexes of the items of `resource_id` with no problem found so far."""
        return [
            i
            for i, rid in enumerate(self.resource_ids)
            if rid == resource_id and i not in self.errors and self.windows[i] is not None
        ]


def evaluate(
    catalog: ResourceCatalog,
    rules: Callable[..., list[str]],
    principal: Principal,
    request: BulkRequest,
    now: datetime,
    *,
    occupants: Occupants,
    versions: DayVersions | None = None,
) -> Evaluation:
    found = Evaluation([item.resource_id for item in request.items], [])
    for index, item in enumerate(request.items):
        found.windows.append(_window(found, index, item))
    _load_resources(catalog, found)
    for index, window in enumerate(found.windows):
        if window is not None and index not in found.errors:
            _check_rules(rules, found, index, window, now=now, override=request.override)
    for resource_id in found.contexts:
        _check_each_other(found, resource_id)
    if versions is not None:  # first the versions, then the occupants (the invariant's order)
        found.versions = versions(_days(found))
    # One occupants read per resource, side by side; the findings are applied in order.
    checks = fan_out.map_all(
        lambda rid: _check_table(found, rid, principal, now, occupants), list(found.contexts)
    )
    for resource_id, (occupied, errors) in zip(found.contexts, checks, strict=True):
        found.occupants[resource_id] = occupied
        found.errors.update(errors)
    return found


def _days(found: Evaluation) -> dict[str, list[date]]:
    """The UTC days whose versions guard the valid items of each resource (buffers included)."""
    wanted: dict[str, list[date]] = {}
    for resource_id, context in found.contexts.items():
        windows = [w for w in (found.windows[i] for i in found.valid(resource_id)) if w]
        if windows:
            wanted[resource_id] = list(context.buffers.days(windows))
    return wanted


def _window(found: Evaluation, index: int, item: BulkItem) -> TimeRange | None:
    try:
        checked = booking_rules.validate_window_input(item.start_time, item.end_time)
        return booking_rules.validate_window_input(to_millis(checked.start), to_millis(checked.end))
    except InvalidInput as exc:
        found.errors[index] = ItemError(exc.code, exc.message)
        return None


def _load_resources(catalog: ResourceCatalog, found: Evaluation) -> None:
    """Each distinct resource once, with its hours and the blackouts of its items' span; the
    resources are read side by side (fan_out)."""
    resource_ids = list(dict.fromkeys(found.resource_ids))
    known = catalog.get_many_for_booking(resource_ids)  # one BatchGet; `get` explains a missing one

    def load(resource_id: str) -> ResourceContext:
        spans = [
            w
            for rid, w in zip(found.resource_ids, found.windows, strict=True)
            if rid == resource_id and w
        ]
        resource = known.get(resource_id) or catalog.get(resource_id)
        blackouts: Sequence[Blackout] = ()
        if spans:
            first = min(w.start for w in spans).date() - timedelta(days=1)
            last = max(w.end for w in spans).date() + timedelta(days=1)
            blackouts = catalog.blackouts_for(resource, first, last)
        return ResourceContext(
            resource, catalog.hours_for(resource), blackouts, buffers_of(resource)
        )

    for resource_id, loaded in zip(resource_ids, fan_out.settle(load, resource_ids), strict=True):
        exc = loaded.exception()
        if isinstance(exc, NotFound):
            for index, rid in enumerate(found.resource_ids):
                if rid == resource_id and index not in found.errors:
                    found.errors[index] = ItemError(exc.code, exc.message)
            continue
        found.contexts[resource_id] = loaded.result()  # raises any other failure


def _check_rules(
    rules: Callable[..., list[str]],
    found: Evaluation,
    index: int,
    window: TimeRange,
    *,
    now: datetime,
    override: bool,
) -> None:
    context = found.contexts[found.resource_ids[index]]
    try:
        found.overridden[index] = rules(
            context.resource,
            window,
            now=now,
            hours=context.hours,
            blackouts=context.blackouts,
            override=override,
        )
    except RuleViolation as exc:
        found.errors[index] = ItemError(exc.code, exc.message)


def _check_each_other(found: Evaluation, resource_id: str) -> None:
    """Items of one resource that would conflict with each other: each names the others."""
    buffers = found.contexts[resource_id].buffers
    indexes = found.valid(resource_id)
    windows = [found.windows[i] for i in indexes]
    pairs = conflicts.find_internal_overlaps(
        [w for w in windows if w is not None],
        buffer_before=buffers.before,
        buffer_after=buffers.after,
    )
    partners: dict[int, list[int]] = {}
    for a, b in pairs:
        partners.setdefault(indexes[a], []).append(indexes[b])
        partners.setdefault(indexes[b], []).append(indexes[a])
    for index, others in partners.items():
        found.errors[index] = ItemError(
            "overlaps_item",
            "overlaps other item(s) of this request on the same resource",
            overlaps_with=sorted(others),
        )


def _check_table(
    found: Evaluation, resource_id: str, principal: Principal, now: datetime, read: Occupants
) -> tuple[list[Occupant], dict[int, ItemError]]:
    """The occupants around the valid items of `resource_id` and the items that clash with
    them (by index); reads only."""
    context = found.contexts[resource_id]
    buffers, queued = context.buffers, context.resource.requires_approval
    indexes = found.valid(resource_id)
    windows = [w for w in (found.windows[i] for i in indexes) if w is not None]
    errors: dict[int, ItemError] = {}
    if not windows:
        return [], errors
    occupants = read(resource_id, windows, buffers, now)
    for index, window in zip(indexes, windows, strict=True):
        clashes = find_conflicts(window, occupants, buffers, queued=queued)
        if clashes:
            errors[index] = ItemError(
                "reservation_conflict",
                CONFLICT_MESSAGE,
                conflicts=conflict_listing(clashes, principal),
                occupants=tuple(clashes),
            )
    return occupants, errors
