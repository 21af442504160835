"""Keys of the catalogue-wide occupancy index (GSI2, see day_occupancy.py): the length
class of an occupancy and the UTC day or month bucket of its start. Pure: items.py builds
occupancy items with these keys, day_occupancy.py reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.catalog.resources import MAX_RESERVATION_SPAN
from chalicelib.domain.reservations import Reservation, TimeRange
from chalicelib.domain.timeutil import iso_z


@dataclass(frozen=True)
class LengthClass:
    name: str
    longest: timedelta
    monthly: bool  # bucket by UTC month instead of UTC day

    def bucket(self, at: datetime) -> str:
        at = at.astimezone(UTC)
        return f"{at:%Y-%m}" if self.monthly else at.date().isoformat()

    def buckets(self, low: datetime, high: datetime) -> list[str]:
        """Every bucket a start in [low, high] can fall in, in order."""
        found: list[str] = []
        day: date = low.astimezone(UTC).date()
        while day <= high.astimezone(UTC).date():
            name = f"{day:%Y-%m}" if self.monthly else day.isoformat()
            if not found or found[-1] != name:
                found.append(name)
            day += timedelta(days=1)
        return found


CLASSES = (
    LengthClass("H", timedelta(hours=2), monthly=False),
    LengthClass("D", timedelta(days=1), monthly=False),
    LengthClass("L", MAX_RESERVATION_SPAN, monthly=True),
)


def class_of(window: TimeRange) -> LengthClass:
    length = window.end - window.start
    return next((c for c in CLASSES if length <= c.longest), CLASSES[-1])


def index_keys(reservation: Reservation) -> tuple[str, str]:
    """GSI2PK and GSI2SK of the reservation's occupancy item."""
    start = reservation.window.start
    kind = class_of(reservation.window)
    return (
        f"OCC#{kind.name}#{kind.bucket(start)}",
        f"{iso_z(start)}#{reservation.resource_id}#{reservation.reservation_id}",
    )
