"""Composite resources (issue 14): the read side of `occupied_by`. The occupants that block a
resource include those of the resources its bookings also occupy (a composite's parts and
sibling composites, a part's composites): availability, free windows and the pre-checks of
series and bulk requests then agree with what the writer will refuse."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.reservations.conflicts import Buffers, Occupant
from chalicelib.store.reservations.booking_tx import occupants_around
from chalicelib.store.reservations.occupied_by import expand_ids


def blocking_occupants(
    resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
) -> list[Occupant]:
    """`occupants_around` of the resource and of every resource related to it (each once)."""
    found = {o.reservation_id: o for o in occupants_around(resource_id, windows, buffers, now)}
    for other in expand_ids([resource_id])[resource_id]:
        for occupant in occupants_around(other, windows, buffers, now):
            found.setdefault(occupant.reservation_id, occupant)
    return list(found.values())
