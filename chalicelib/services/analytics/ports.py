"""What the analytics services need from the store (adapters: store/analytics/)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from chalicelib.domain.analytics.facts import Counters, Released, ReservationFacts
from chalicelib.domain.catalog.groups import Tree
from chalicelib.domain.catalog.resources import Blackout, BusinessHours, Resource


class CounterPort(Protocol):
    def apply(
        self, event_id: str, changes: Counters, released: Released | None, now: datetime
    ) -> bool: ...

    def apply_many(
        self, applications: Sequence[tuple[str, Counters, Released | None]], now: datetime
    ) -> int: ...

    def released_around(
        self, resource_id: str, start: datetime, end: datetime, span: timedelta
    ) -> list[Released]: ...

    def cells(
        self, kind: str, months: Sequence[str], scope_prefix: str, attrs: Sequence[str]
    ) -> dict[tuple[str, str], dict[str, int]]: ...

    def revisions(self, months: Sequence[str]) -> dict[str, int]: ...

    def existing_keys(
        self, kinds: Iterable[str], months: Iterable[str]
    ) -> set[tuple[str, str]]: ...

    def replace_all(
        self, totals: Counters, released: Sequence[Released], stale: set[tuple[str, str]]
    ) -> int: ...

    def reservations_in(self, month: str) -> Iterable[ReservationFacts]: ...


class Catalog(Protocol):
    def all_resources(self, now: datetime) -> list[Resource]: ...

    def default_hours(self) -> BusinessHours | None: ...

    def blackouts(
        self, resource_ids: Sequence[str], first: date, last: date
    ) -> dict[str, list[Blackout]]: ...


class LocationTree(Protocol):
    """store/catalog/groups.py `GroupStore` (read only when a query groups or filters by
    location)."""

    def tree(self) -> Tree: ...
