"""Reservations CSV import and export (issue 14): built on first use, like every service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.core import clock
from chalicelib.wiring.reservations import booking_deps, bulk, reservation_queries

if TYPE_CHECKING:
    from chalicelib.services.reservations.csv_import import ReservationImport
    from chalicelib.services.reservations.export import ReservationExport


def reservation_import() -> ReservationImport:
    from chalicelib.services.reservations.csv_import import ReservationImport
    from chalicelib.store.accounts.users import UserStore
    from chalicelib.store.catalog.names import ResourceNameIndex

    return ReservationImport(booking_deps(), bulk(), ResourceNameIndex(), UserStore())


def reservation_export() -> ReservationExport:
    from chalicelib.services.reservations.export import ReservationExport

    return ReservationExport(reservation_queries(), clock())
