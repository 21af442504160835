"""The garbage collector's rhythm for request handling (issue 16).

A busy free-window search allocates tens of thousands of short-lived objects (decoded items,
occupants, time ranges). With CPython's default thresholds (700, 10, 10) that triggers
collections every few hundred allocations and, now and then, a full one that walks every
object the process holds (botocore's service models, the app's schemas, cached resources):
the 95th percentile of a busy search was twice its median (`bench.profile_search`: p95 204-210
ms against 121-141 ms with fewer collections). Cycles among a request's objects are rare, so
collecting less often costs little memory; objects that exist once the app is loaded are
frozen out of every later collection.
"""

from __future__ import annotations

import gc

# Allocations (minus deallocations) between young collections; then as CPython's defaults.
YOUNG_THRESHOLD = 50_000
OLDER_THRESHOLDS = (20, 20)


def tune_for_requests() -> None:
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
