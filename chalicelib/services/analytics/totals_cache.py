"""Every resource's totals over a range, kept between requests while no event touched the
range's months (issue 12: the admin reads of 1,000 resources' rows cost ~0.6 s a time).

The key holds each month's `rev` (the month's ALL counter row, bumped in the same transaction
as every event's counters, re-stamped after a rebuild: store/analytics/counters.py), read
BEFORE the rows. A result computed from rows newer than that revision is therefore only ever
filed under an older key, never served for a newer one: an answer is never staler than the
revision read at the start of its request. Built once per process (wiring), bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping

from chalicelib.domain.analytics.report import Totals

MAX_ENTRIES = 32
Key = tuple[str, str, str, tuple[str, ...], tuple[tuple[str, int], ...]]


class TotalsCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._entries: OrderedDict[Key, dict[str, Totals]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(
        self,
        scope: str,
        span: tuple[str, str],
        metrics: tuple[str, ...],
        revisions: Mapping[str, int],
        compute: Callable[[], dict[str, Totals]],
    ) -> dict[str, Totals]:
        key: Key = (scope, *span, metrics, tuple(sorted(revisions.items())))
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        value = compute()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value
