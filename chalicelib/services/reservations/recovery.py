"""Crash recovery for multi-transaction writes: series and bulk batches stuck in `creating`.

A request that crashed between its chunks (Lambda timeout, lost connection) leaves its anchor
`creating` and some reservations written. After `STUCK_AFTER` (longer than any request can
live, so the writer is surely gone) this cancels what was written and marks the anchor
`failed`, in that order: a run that dies half-way leaves the anchor `creating` and the next run
repeats it. Safe when two runs overlap: every cancel is guarded by the reservation's version
and status, and the final transition by the anchor's version, so each happens once; the
loser counts the anchor as skipped. Bulk chunks also condition on their batch being
`creating`, so no chunk can commit after the batch was rolled back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.reservations import SYSTEM, Reservation
from chalicelib.domain.reservations.bulk import STUCK_AFTER, BatchStatus
from chalicelib.domain.reservations.series import SeriesStatus
from chalicelib.observability import logger
from chalicelib.services.reservations.anchored_write import cancel_all
from chalicelib.services.reservations.ports import (
    BatchAnchors,
    ReservationReads,
    ReservationWriter,
    SeriesAnchors,
)
from chalicelib.store.reservations.anchors import StuckAnchor

REASON = "creation interrupted; rolled back by recovery"


class AnchorRecovery:
    def __init__(
        self,
        batches: BatchAnchors,
        series: SeriesAnchors,
        reservations: ReservationReads,
        clock: Clock,
        *,
        writer: ReservationWriter,
        stuck_after: timedelta = STUCK_AFTER,
    ) -> None:
        self._batches = batches
        self._series = series
        self._reservations = reservations
        self._writer = writer
        self._clock = clock
        self._stuck_after = stuck_after

    def recover(self, now: datetime | None = None) -> dict[str, int]:
        """Roll back every anchor `creating` for longer than `stuck_after` (100 per run)."""
        at = now or self._clock.now()
        cutoff = at - self._stuck_after
        counts = {"series": 0, "batches": 0, "cancelled": 0, "skipped": 0}
        for anchor in self._batches.stuck(cutoff):
            try:
                done = self._recover(anchor, at, cutoff, counts)
            except Conflict:
                done = False  # another run (or the writer) moved it on first
            if not done:
                counts["skipped"] += 1
        return counts

    def _recover(
        self, anchor: StuckAnchor, now: datetime, cutoff: datetime, counts: dict[str, int]
    ) -> bool:
        if anchor.kind == "SERIES":
            series = self._series.get(anchor.entity_id)
            if series is None or series.status != SeriesStatus.CREATING:
                return False
            if series.created_at >= cutoff:
                return False
            counts["cancelled"] += self._cancel(self._series.occurrences(series), now)
            self._series.transition(series, SeriesStatus.FAILED, now, failure={"reason": REASON})
            counts["series"] += 1
            logger.info("stuck series rolled back", extra={"series_id": series.series_id})
            return True
        batch = self._batches.get(anchor.entity_id)
        if batch is None or batch.status != BatchStatus.CREATING or batch.created_at >= cutoff:
            return False
        counts["cancelled"] += self._cancel(self._reservations.get_many(batch.reservation_ids), now)
        self._batches.transition(batch, BatchStatus.FAILED, now, failure={"reason": REASON})
        counts["batches"] += 1
        logger.info("stuck bulk batch rolled back", extra={"batch_id": batch.batch_id})
        return True

    def _cancel(self, written: list[Reservation], now: datetime) -> int:
        cancelled = cancel_all(
            self._writer, self._reservations, written, actor=SYSTEM, at=now, reason=REASON
        )
        return len(cancelled)
