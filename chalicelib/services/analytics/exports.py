"""CSV exports of reservations: an admin's cover everyone, anyone else's only their own
(the scope comes from the principal, never from a parameter). Formula-safe cells
(domain/csv_cells.py); at most MAX_ROWS rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from chalicelib.domain.analytics.report import DateRange
from chalicelib.domain.csv_cells import csv_line
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import Reservation
from chalicelib.domain.timeutil import iso_z
from chalicelib.store.reservations.listing import ListingFilter, ReservationListing

MAX_ROWS = 10_000
_PAGE = 500
COLUMNS = (
    "reservation_id",
    "resource_id",
    "user_id",
    "start_time",
    "end_time",
    "status",
    "series_id",
    "notes",
)


def _cells(r: Reservation) -> tuple[object, ...]:
    return (
        r.reservation_id,
        r.resource_id,
        r.user_id,
        iso_z(r.window.start),
        iso_z(r.window.end),
        str(r.status),
        r.series_id or "",
        r.notes or "",
    )


class ReservationExport:
    def __init__(self, listing: ReservationListing) -> None:
        self._listing = listing

    def _reservations(self, principal: Principal, rng: DateRange) -> Iterator[Reservation]:
        window = rng.window
        spec = ListingFilter(start_from=window.start, until=window.end)
        if not principal.is_admin:
            key = None
            while True:
                page = self._listing.for_user(
                    principal.subject_id, spec, limit=_PAGE, start_key=key
                )
                yield from page.items
                key = page.last_key
                if not key:
                    return
        for month in rng.months():
            key = None
            while True:
                page = self._listing.in_month(
                    date(int(month[:4]), int(month[5:7]), 1), spec, limit=_PAGE, start_key=key
                )
                yield from page.items
                key = page.last_key
                if not key:
                    break

    def csv(self, principal: Principal, rng: DateRange) -> str:
        lines = [csv_line(COLUMNS)]
        for count, r in enumerate(self._reservations(principal, rng)):
            if count >= MAX_ROWS:
                break
            lines.append(csv_line(_cells(r)))
        return "".join(lines)
