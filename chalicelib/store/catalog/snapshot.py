"""A per-process copy of the catalogue listing, for searches that would read all of it
(issue 16: the free-window search on a busy catalogue).

Why: a search for a window where nearly every resource is booked must look at every candidate
to find the few free ones. Read from the listing index, that was up to 1,000 items per request
(~28 ms of DynamoDB Local's CPU and most of the request's DynamoDB time), however few it kept.

The copy also holds every resource's composite links (issue 14) and own-blackout marker,
which the search needs for the candidates it leaves free.

How it stays current: every write of resource items (`repository.commit`, the only way they
are written), of composite links (`CompositeStore.write`) and of blackout markers
(`blackouts.add` / `remove` / `purge`) bumps the catalogue version item (version.py) after
its transaction, and every request reads that item (one strongly consistent GetItem) before
using its copy:
- same version: the copy is what the index would return (the index is itself eventually
  consistent: a copy built within `SETTLE_S` of the version's write is rebuilt once after
  that, so an index still catching up is not kept);
- another version: the copy is rebuilt from the index (the whole RESOURCES partition);
- a writer that died between its transaction and its bump leaves the version behind: no copy
  is used longer than `MAX_AGE_S` after it was built.
A catalogue larger than `MAX_ITEMS` is not copied (memory): the index serves it as before.
"""

from __future__ import annotations

import itertools
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.store import dynamo
from chalicelib.store.catalog import blackouts as blackout_store
from chalicelib.store.catalog.items import RESOURCES_PARTITION
from chalicelib.store.catalog.version import Version, read_version
from chalicelib.store.reservations.items import table_name
from chalicelib.store.reservations.occupied_by import Links, read_links

SETTLE_S = 2.0  # longer than a global secondary index takes to catch up, in practice
MAX_AGE_S = 60.0
MAX_ITEMS = 5_000
INDEXES = ("GSI1", "GSI2")
RawItem = dict[str, Any]


@dataclass(frozen=True)
class Ordered:
    """One index's order of the copy: items and their sort keys, ascending."""

    sort_keys: list[str]
    items: list[RawItem]

    def after(self, sort_key: str | None, *, descending: bool) -> Iterator[RawItem]:
        """The items a query resuming after `sort_key` would return, in its order."""
        if not descending:
            start = 0 if sort_key is None else bisect_right(self.sort_keys, sort_key)
            return itertools.islice(self.items, start, None)
        stop = len(self.items) if sort_key is None else bisect_left(self.sort_keys, sort_key)
        return (self.items[n] for n in range(stop - 1, -1, -1))


@dataclass(frozen=True)
class Copy:
    version: Version
    built_at: float  # monotonic
    built_wall: float
    orders: dict[str, Ordered]
    links: dict[str, Links]  # every copied resource's composite links (issue 14)
    markers: dict[str, int | None]  # and its own-blackout count (None: no marker, query)

    def settled(self) -> bool:
        return self.built_wall - self.version.at >= SETTLE_S


def _read_all() -> list[RawItem] | None:
    """Every listed resource item (the index's RESOURCES partition), or None past MAX_ITEMS."""
    items: list[RawItem] = []
    query: dict[str, Any] = {
        "TableName": table_name(),
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :p",
        "ExpressionAttributeValues": {":p": {"S": RESOURCES_PARTITION}},
    }
    for raw in dynamo.query(**query):
        items.append(raw)
        if len(items) > MAX_ITEMS:
            return None
    return items


def _orders(items: list[RawItem]) -> dict[str, Ordered]:
    orders = {}
    for index in INDEXES:
        key = f"{index}SK"
        ranked = sorted((str(i[key]["S"]), n) for n, i in enumerate(items) if key in i)
        orders[index] = Ordered([sk for sk, _ in ranked], [items[n] for _, n in ranked])
    return orders


class CatalogueCopies:
    """The process's copy, checked against the version item on every use; thread-safe."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._monotonic, self._wall = monotonic, wall
        self._copy: Copy | None = None
        self._lock = threading.Lock()

    def current(self, index: str) -> Ordered | None:
        """The index's order of a copy that is as current as the index; None when the
        catalogue is too large to copy (read the index instead)."""
        version = read_version()
        with self._lock:
            copy = self._copy
        if copy is None or not self._usable(copy, version):
            copy = self._build(version)
            if copy is None:
                return None
        return copy.orders[index]

    def last(self) -> Copy | None:
        """The copy `current` last checked (None: none), for the request that just listed
        from it: its composite links and blackout markers (their writes bump the version)."""
        with self._lock:
            return self._copy

    def _usable(self, copy: Copy, version: Version) -> bool:
        if copy.version != version or self._monotonic() - copy.built_at > MAX_AGE_S:
            return False
        # Built right after the write: the index may not have had it yet. Use it until the
        # index has surely caught up, then rebuild once.
        return copy.settled() or self._wall() - version.at < SETTLE_S

    def _build(self, version: Version) -> Copy | None:
        built_at, built_wall = self._monotonic(), self._wall()
        items = _read_all()
        if items is None:
            with self._lock:
                self._copy = None  # too large now: `last` must not answer from an old copy
            return None
        ids = [str(i["resource_id"]["S"]) for i in items]
        copy = Copy(
            version,
            built_at,
            built_wall,
            _orders(items),
            read_links(ids),
            blackout_store.counts_of(ids),
        )
        with self._lock:
            self._copy = copy
        return copy


COPIES = CatalogueCopies()
