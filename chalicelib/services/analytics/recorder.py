"""Keeping the counters: one reservation change at a time (the worker), or all of them
from the table (the `rebuild-analytics` job). Both go through `facts.contribution`, so the
rebuilt counters equal the incrementally kept ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain.analytics import facts as f
from chalicelib.domain.analytics.facts import Released, ReservationFacts
from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.clock import Clock
from chalicelib.domain.pipeline.events import DomainEvent, MalformedEvent
from chalicelib.services.analytics.ports import CounterPort

# How far back and ahead the rebuild looks (months of reservation starts).
REBUILD_BACK_DAYS = 400
REBUILD_AHEAD_DAYS = 400


class AnalyticsRecorder:
    def __init__(self, counters: CounterPort, clock: Clock) -> None:
        self._counters = counters
        self._clock = clock

    def _released(self, facts: ReservationFacts | None) -> list[Released]:
        if facts is None or not facts.booked:
            return []
        return self._counters.released_around(
            facts.resource_id, facts.start, facts.end, MAX_RESERVATION_SPAN
        )

    def record(self, event: DomainEvent) -> bool:
        """Apply one `analytics.reservation_changed` event; False if it was counted before."""
        event_id, changes, released = self._application(event)
        return self._counters.apply(event_id, changes, released, self._clock.now())

    def record_many(self, events: Sequence[DomainEvent]) -> int:
        """`record` for a batch (issue 16: the bulk lane), in as few transactions as fit;
        each event still counted once. Returns how many were counted now."""
        images = [_images(event) for event in events]
        known = self._released_by_resource([x for pair in images for x in pair])

        def released(facts: ReservationFacts | None) -> list[Released]:
            if facts is None or not facts.booked:
                return []
            return [
                w
                for w in known.get(facts.resource_id, [])
                if w.end > facts.start and w.start <= facts.end  # as `released_around` picks
            ]

        applications = []
        for event, (before, after) in zip(events, images, strict=True):
            application = _application(event.event_id, before, after, released)
            applications.append(application)
            window = application[2]
            if window is not None:
                # A later event of the batch sees this window, as it would have seen the
                # stored one had the events come one by one (a no-show, then a rebooking).
                known.setdefault(window.resource_id, []).append(window)
        return self._counters.apply_many(applications, self._clock.now())

    def _released_by_resource(
        self, all_facts: Sequence[ReservationFacts | None]
    ) -> dict[str, list[Released]]:
        """The released windows near every booked fact, one query per resource (not per
        event): the query covers the resource's facts from the earliest start to the latest
        end, and each fact then keeps the windows that overlap it."""
        spans: dict[str, tuple[datetime, datetime]] = {}
        for facts in all_facts:
            if facts is None or not facts.booked:
                continue
            low, high = spans.get(facts.resource_id, (facts.start, facts.end))
            spans[facts.resource_id] = (min(low, facts.start), max(high, facts.end))
        return {
            resource_id: self._counters.released_around(
                resource_id, low, high, MAX_RESERVATION_SPAN
            )
            for resource_id, (low, high) in spans.items()
        }

    def _application(self, event: DomainEvent) -> tuple[str, f.Counters, Released | None]:
        before, after = _images(event)
        return _application(event.event_id, before, after, self._released)

    def rebuild(self) -> dict[str, int]:
        """Recompute every counter from the reservations in the table and overwrite them."""
        today = self._clock.now().date()
        months = _months(
            today - timedelta(days=REBUILD_BACK_DAYS), today + timedelta(days=REBUILD_AHEAD_DAYS)
        )
        everything = [facts for month in months for facts in self._counters.reservations_in(month)]
        released = [w for w in (f.released_by(x) for x in everything) if w is not None]
        by_resource: dict[str, list[Released]] = {}
        for window in released:
            by_resource.setdefault(window.resource_id, []).append(window)
        totals: f.Counters = {}
        for facts in everything:
            f.merge(totals, f.contribution(facts, by_resource.get(facts.resource_id, [])))
        stale = self._counters.existing_keys((f.MONTHLY_KIND, f.HOURLY_KIND), months)
        written = self._counters.replace_all(totals, released, stale)
        return {"reservations": len(everything), "items": written, "released": len(released)}


def _images(event: DomainEvent) -> tuple[ReservationFacts | None, ReservationFacts | None]:
    data: dict[str, Any] = event.data
    before = ReservationFacts.from_image(data.get("before"))
    after = ReservationFacts.from_image(data.get("after"))
    if before is None and after is None:
        raise MalformedEvent("an analytics change needs a 'before' or an 'after' image")
    return before, after


def _application(
    event_id: str,
    before: ReservationFacts | None,
    after: ReservationFacts | None,
    released: Callable[[ReservationFacts | None], list[Released]],
) -> tuple[str, f.Counters, Released | None]:
    changes = f.delta(
        f.contribution(before, released(before)), f.contribution(after, released(after))
    )
    newly_released = f.released_by(after) if f.released_by(before) is None else None
    return event_id, changes, newly_released


def _months(first: date, last: date) -> list[str]:
    out: list[str] = []
    month = date(first.year, first.month, 1)
    while month <= last:
        out.append(f"{month.year:04d}-{month.month:02d}")
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out
