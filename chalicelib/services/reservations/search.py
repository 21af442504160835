"""Reservation search (issue 14): admins over everyone's, users over their own.

Filters: user, resource, location (a group and its whole subtree), status, time window;
paged. It reuses the listings' indexes (services/reservations/queries.py): a user's
reservations come from GSI1 `USER#<id>`, everyone's from the GSI2 month buckets; the other
filters are FilterExpressions on those queries, never a read per reservation. A location
becomes `resource_id IN (...)`, so a subtree may hold at most MAX_GROUP_RESOURCES resources
(422 `group_too_large` beyond: search one of its sub-groups).

A user naming someone else in `user_id` gets 403 `forbidden` (rather than a silently
ignored filter that would look like "that user has no reservations").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import Reservation, ReservationStatus
from chalicelib.services.reservations.queries import (
    ADMIN_LOOKBACK,
    MAX_ADMIN_WINDOW,
    Listing,
    ListQuery,
    ReservationQueries,
)

MAX_GROUP_RESOURCES = 100  # the most values a DynamoDB IN condition takes


class SubtreePort(Protocol):
    def ids_in(self, group_id: str, *, cap: int, now: datetime) -> list[str] | None: ...


@dataclass(frozen=True)
class SearchSpec:
    statuses: frozenset[ReservationStatus] = frozenset()
    start_from: datetime | None = None
    until: datetime | None = None
    resource_id: str | None = None
    user_id: str | None = None
    group_id: str | None = None
    limit: int = 20
    cursor: str | None = None


class ReservationSearch:
    def __init__(self, queries: ReservationQueries, subtrees: SubtreePort, clock: Clock) -> None:
        self._queries = queries
        self._subtrees = subtrees
        self._clock = clock

    def search(self, principal: Principal, spec: SearchSpec) -> Listing[Reservation]:
        """Default window: from 30 days ago for one year; default statuses: all of them."""
        own = not principal.is_admin
        if own and spec.user_id not in (None, principal.subject_id):
            raise Forbidden("you can only search your own reservations", code="forbidden")
        start_from = spec.start_from or self._clock.now() - ADMIN_LOOKBACK
        until = spec.until or start_from + MAX_ADMIN_WINDOW
        query = ListQuery(
            statuses=spec.statuses or frozenset(ReservationStatus),
            start_from=start_from,
            until=until,
            resource_id=spec.resource_id,
            user_id=None if own else spec.user_id,
            limit=spec.limit,
            cursor=spec.cursor,
        )
        if spec.group_id:
            ids = self._group_resources(spec.group_id)
            if not ids:
                return Listing([], None)
            query = replace(query, resource_ids=frozenset(ids))
        if own:
            _check_window(start_from, until)
            return self._queries.mine(principal, query)
        return self._queries.everyone(principal, query)

    def _group_resources(self, group_id: str) -> list[str]:
        ids = self._subtrees.ids_in(group_id, cap=MAX_GROUP_RESOURCES, now=self._clock.now())
        if ids is None:
            raise InvalidInput(
                f"this location holds more than {MAX_GROUP_RESOURCES} resources: "
                "search one of its sub-groups",
                code="group_too_large",
                details={"max_resources": MAX_GROUP_RESOURCES},
            )
        return ids


def _check_window(start_from: datetime, until: datetime) -> None:
    """The admin listing checks its own window; a user's gets the same bounds (and codes)."""
    if until <= start_from:
        raise InvalidInput("'to' must be after 'from'", code="empty_range")
    if until - start_from > MAX_ADMIN_WINDOW:
        days = MAX_ADMIN_WINDOW // timedelta(days=1)
        raise InvalidInput(
            f"the window may span at most {days} days",
            code="window_too_large",
            details={"max_days": days},
        )
