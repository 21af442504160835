"""Export reservations page by page (CSV or JSON): an admin's cover everyone, anyone else's
only their own; the scope comes from the principal, never from a parameter.

A page is one bounded listing read (services/reservations/queries.py) and an opaque cursor to
the next, so 100,000 rows are many small answers, never one in memory; the CSV of the first
page carries the header, the others do not, so the pages concatenated are one file. Cells are
formula-safe (domain/csv_cells.py, shared with every export).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain.clock import Clock
from chalicelib.domain.csv_cells import csv_line
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import Reservation, ReservationStatus
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.queries import Listing, ListQuery, ReservationQueries

# The admin listing's window: by default from 30 days ago, at most 366 days per export.
DEFAULT_LOOKBACK = timedelta(days=30)
COLUMNS = (
    "reservation_id",
    "resource_id",
    "resource_name",
    "user_id",
    "start_time",
    "end_time",
    "status",
    "notes",
    "series_id",
    "created_at",
)


@dataclass(frozen=True)
class ExportQuery:
    start_from: datetime | None = None
    until: datetime | None = None
    resource_id: str | None = None
    statuses: frozenset[ReservationStatus] = field(default_factory=frozenset)
    limit: int = 500
    cursor: str | None = None


class ReservationExport:
    def __init__(self, queries: ReservationQueries, clock: Clock) -> None:
        self._queries = queries
        self._clock = clock

    def page(self, principal: Principal, query: ExportQuery) -> Listing[Reservation]:
        start_from = query.start_from or self._clock.now() - DEFAULT_LOOKBACK
        listing = ListQuery(
            statuses=query.statuses or frozenset(ReservationStatus),
            start_from=start_from,
            until=query.until,
            resource_id=query.resource_id,
            limit=query.limit,
            cursor=query.cursor,
        )
        if principal.is_admin:
            return self._queries.everyone(principal, listing)
        return self._queries.mine(principal, listing)


def csv_page(listing: Listing[Reservation], *, header: bool) -> str:
    lines = [csv_line(COLUMNS)] if header else []
    names = listing.resource_names
    lines += [csv_line(cells(r, names.get(r.resource_id, ""))) for r in listing.items]
    return "".join(lines)


def cells(r: Reservation, resource_name: str) -> tuple[object, ...]:
    return (
        r.reservation_id,
        r.resource_id,
        resource_name,
        r.user_id,
        iso_z(r.window.start),
        iso_z(r.window.end),
        r.status.value,
        r.notes or "",
        r.series_id or "",
        iso_z(r.created_at),
    )
