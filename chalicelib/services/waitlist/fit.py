"""The booking rules as the waitlist applies them: the same `check_booking` as a direct
booking (hours, blackouts, maintenance, notice, durations), on the resource as it is now.

`match` picks the window to offer (domain/waitlist/matching.py) from a consistent read of the
occupants; the offer's transaction re-checks the invariant, so this read only guides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import RuleViolation
from chalicelib.domain.reservations import TimeRange, booking_rules
from chalicelib.domain.reservations.conflicts import Occupant
from chalicelib.domain.waitlist.entries import Wish
from chalicelib.domain.waitlist.matching import Match, first_window, opening_starts
from chalicelib.services.reservations.booking import buffers_of
from chalicelib.services.waitlist.ports import Catalog, Holds


class Fit:
    def __init__(self, catalog: Catalog, holds: Holds) -> None:
        self._catalog = catalog
        self._holds = holds

    def check(self, resource: Resource, window: TimeRange, now: datetime) -> None:
        """Raise the RuleViolation a direct booking of `window` would get now."""
        booking_rules.check_booking(
            resource,
            window,
            now=now,
            hours=self._catalog.hours_for(resource),
            blackouts=self._catalog.blackouts_for(
                resource,
                window.start.date() - timedelta(days=1),
                window.end.date() + timedelta(days=1),
            ),
        )

    def occupants(
        self, resource: Resource, spans: Sequence[TimeRange], now: datetime
    ) -> list[Occupant]:
        """One consistent read of what occupies `spans` (a worker's pass judges every entry
        against the same read: see OfferService.offer_freed)."""
        return self._holds.occupants(resource.resource_id, spans, buffers_of(resource), now)

    def match(
        self,
        resource: Resource,
        wish: Wish,
        now: datetime,
        occupants: Sequence[Occupant] | None = None,
    ) -> Match:
        """The earliest free window serving `wish` that the booking rules accept now, among
        `occupants` (read here when not given)."""
        span = wish.span
        buffers = buffers_of(resource)
        hours = self._catalog.hours_for(resource)
        blackouts = self._catalog.blackouts_for(
            resource, span.start.date() - timedelta(days=1), span.end.date() + timedelta(days=1)
        )
        zone = booking_rules.resource_zone(resource)

        def judge(window: TimeRange) -> str | None:
            try:
                booking_rules.check_booking(
                    resource, window, now=now, hours=hours, blackouts=blackouts
                )
            except RuleViolation as exc:
                return exc.message
            return None

        # Each opening is a candidate start: bookings must lie within the opening hours, so
        # a search starting before opening time must be able to land on it.
        starts = opening_starts(span, hours, zone) if wish.flexible else []
        if occupants is None:
            occupants = self.occupants(resource, [span], now)
        return first_window(
            wish, now=now, occupants=occupants, buffers=buffers, judge=judge, extra_starts=starts
        )
