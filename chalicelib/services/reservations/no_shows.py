"""The no-show release (a scheduled job): a reservation on a resource that requires check-in,
still not checked in when its check-in window closes, becomes `no_show` and its slot frees
(the bus event lets the waitlist offer it). With strikes set, the series of a holder who
missed that many check-ins has its remaining occurrences cancelled; the owner hears of it
through the cancellations' notifications.

Safe against a racing check-in and against overlapping runs: every change is the lifecycle's
conditional write on the reservation's version, so exactly one of them wins.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.catalog.check_in_policy import WINDOW_EDGE_MAX
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import SYSTEM as SYSTEM_PRINCIPAL
from chalicelib.domain.reservations import SYSTEM, InvalidTransition, Reservation, ReservationStatus
from chalicelib.domain.reservations.check_in import is_no_show, strikes_reached
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.ports import ReservationWriter
from chalicelib.store.reservations.booking_tx import StaleItem

# A start further back than the widest window (plus a margin for a late run) is the expiry
# job's: it marks such reservations no-show when they end (JobService.expire_reservations).
LOOKBACK = WINDOW_EDGE_MAX + timedelta(hours=1)
PAGE = 100
MAX_PAGES = 20


class PageOf(Protocol):
    items: list[Reservation]
    last_key: dict[str, Any] | None


class StartedListing(Protocol):
    def started_between(
        self,
        month: date,
        low: datetime,
        high: datetime,
        status: ReservationStatus,
        *,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> PageOf: ...


class Resources(Protocol):
    def get_many(self, resource_ids: Sequence[str]) -> Mapping[str, Resource]: ...


class SeriesNoShows(Protocol):
    def in_series(self, series_id: str) -> int: ...


class SeriesCancels(Protocol):
    def cancel(
        self, principal: Any, series_id: str, reason: str, *, future_only: bool = True
    ) -> Any: ...


@dataclass
class NoShowDeps:
    listing: StartedListing
    resources: Resources
    writer: ReservationWriter
    counts: SeriesNoShows
    series: SeriesCancels


class NoShowRelease:
    def __init__(self, deps: NoShowDeps) -> None:
        self._d = deps

    def release_due(self, now: datetime) -> dict[str, int]:
        counts = {"released": 0, "skipped": 0, "series_cancelled": 0}
        candidates = list(self._started(now - LOOKBACK, now))
        resources = self._d.resources.get_many(sorted({r.resource_id for r in candidates}))
        for reservation in candidates:
            resource = resources.get(reservation.resource_id)
            if resource is None or not is_no_show(resource.check_in, reservation, now):
                continue
            outcome = self.settle(reservation, resource, now)
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome == "released" and self._strikes_out(reservation, resource, now):
                counts["series_cancelled"] += 1
        return counts

    def settle(self, reservation: Reservation, resource: Resource, now: datetime) -> str:
        """Mark one due reservation no-show: 'released', or 'skipped' if it changed meanwhile
        (checked in, cancelled, or another run got there first)."""
        window_closed = iso_z(min(reservation.window.end, now))
        try:
            self._d.writer.apply(
                reservation.mark_no_show(
                    SYSTEM, now, f"not checked in (window closed by {window_closed})"
                )
            )
        except (StaleItem, InvalidTransition):
            return "skipped"
        return "released"

    def _strikes_out(self, reservation: Reservation, resource: Resource, now: datetime) -> bool:
        series_id = reservation.series_id
        if not series_id or not strikes_reached(
            resource.check_in, self._d.counts.in_series(series_id)
        ):
            return False
        strikes = resource.check_in.no_show_strikes
        reason = f"{strikes} missed check-ins: the rest of the series was cancelled"
        try:
            self._d.series.cancel(SYSTEM_PRINCIPAL, series_id, reason, future_only=True)
        except Conflict:
            return False  # already cancelled (by the owner, or an earlier run)
        return True

    def _started(self, low: datetime, high: datetime) -> Iterator[Reservation]:
        month = date(low.year, low.month, 1)
        last = date(high.year, high.month, 1)
        while month <= last:
            start_key: dict[str, Any] | None = None
            for _ in range(MAX_PAGES):
                page = self._d.listing.started_between(
                    month, low, high, ReservationStatus.ACTIVE, limit=PAGE, start_key=start_key
                )
                yield from page.items
                start_key = page.last_key
                if not start_key:
                    break
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
