"""The JSON text of the last answer built from one shared rows list (per process).

Admin utilisation hands out the very same rows list while its inputs are unchanged
(services/analytics/shaped_rows.py). Validating and serialising those 1,000 rows was then most
of the request's CPU. The memo holds that list and serves the text only while the current
answer's rows ARE that list (identity, not equality) under the same envelope (range, grouping):
a fresh list (a user's own rows, any counted event, a catalogue change) is serialised anew, and
since the memo keeps the list alive its identity cannot be reused by another one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable


class JsonMemo:
    def __init__(self) -> None:
        self._last: tuple[object, Hashable, str] | None = None
        self._lock = threading.Lock()

    def text(self, rows: object, envelope: Hashable, build: Callable[[], str]) -> str:
        with self._lock:
            last = self._last
        if last is not None and last[0] is rows and last[1] == envelope:
            return last[2]
        text = build()
        with self._lock:
            self._last = (rows, envelope, text)
        return text
