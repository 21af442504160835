"""Admin utilisation rows shaped once per (totals, catalogue, range, tag), then reused.

Shaping 1,000 resources' rows (figures, ratios, rounding, then the public copy without the
internal minute fields) was two thirds of an admin utilisation request's CPU once the totals
and open hours were cached. Its inputs are the totals dict TotalsCache hands out (the same
object while no event touched the range's months) and the catalogue list OpenTimeCache hands
out (the same object until it rereads the catalogue, which it does when a resource changes
version or appears). So an entry is keyed on those two objects' identities and holds them,
and is served only when both ARE the objects of the current request: any new booking, move,
rebuild or catalogue change gives new objects, hence new rows. The rows are shared between
requests: callers copy, never mutate them. Per process, bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

MAX_ENTRIES = 16
Rows = list[dict[str, Any]]


@dataclass
class _Entry:
    totals: object
    catalogue: object
    rows: Rows
    public: Rows | None = field(default=None)


class ShapedRows:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._entries: OrderedDict[tuple[Hashable, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def rows(
        self, totals: object, catalogue: object, query: Hashable, shape: Callable[[], Rows]
    ) -> Rows:
        return self._entry(totals, catalogue, query, shape).rows

    def public(
        self,
        totals: object,
        catalogue: object,
        query: Hashable,
        shape: Callable[[], Rows],
        strip: Callable[[Rows], Rows],
    ) -> Rows:
        entry = self._entry(totals, catalogue, query, shape)
        if entry.public is None:
            entry.public = strip(entry.rows)
        return entry.public

    def _entry(
        self, totals: object, catalogue: object, query: Hashable, shape: Callable[[], Rows]
    ) -> _Entry:
        key = (id(totals), id(catalogue), query)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found.totals is totals and found.catalogue is catalogue:
                self._entries.move_to_end(key)
                return found
        entry = _Entry(totals, catalogue, shape())
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return entry
