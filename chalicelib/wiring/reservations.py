"""Reservations: the one booking writer and the services that use it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.catalog import resource_store
from chalicelib.wiring.core import clock, cursors, ids

if TYPE_CHECKING:
    from chalicelib.services.reservations.booking import BookingDeps, BookingService
    from chalicelib.services.reservations.bulk import BulkService
    from chalicelib.services.reservations.check_in import CheckInService
    from chalicelib.services.reservations.idempotent import IdempotentCreates
    from chalicelib.services.reservations.no_shows import NoShowRelease
    from chalicelib.services.reservations.queries import ReservationQueries
    from chalicelib.services.reservations.recovery import AnchorRecovery
    from chalicelib.services.reservations.series import SeriesService
    from chalicelib.store.reservations.no_shows import NoShowCounts
    from chalicelib.store.reservations.writer import BookingWriter


def booking_writer() -> BookingWriter:
    from chalicelib.store.reservations.writer import BookingWriter

    return BookingWriter(ids(), resource_store())


def idempotent_creates() -> IdempotentCreates:
    from chalicelib.services.reservations.idempotent import IdempotentCreates
    from chalicelib.store.reservations.idempotency import IdempotencyStore

    return IdempotentCreates(IdempotencyStore(), clock())


def booking_deps() -> BookingDeps:
    from chalicelib.services.reservations.booking import BookingDeps
    from chalicelib.store.reservations.repository import ReservationStore

    return BookingDeps(
        catalog=resource_store(),
        reservations=ReservationStore(),
        clock=clock(),
        writer=booking_writer(),
        idempotency=idempotent_creates(),
        ids=ids(),
    )


def booking() -> BookingService:
    from chalicelib.services.reservations.booking import BookingService

    return BookingService(booking_deps())


def reservation_queries() -> ReservationQueries:
    from chalicelib.services.reservations.queries import ReservationQueries
    from chalicelib.store.reservations.listing import ReservationListing
    from chalicelib.store.reservations.repository import ReservationStore

    return ReservationQueries(
        ReservationStore(), ReservationListing(), resource_store(), cursors(), clock()
    )


def series() -> SeriesService:
    from chalicelib.services.reservations.series import SeriesService
    from chalicelib.store.reservations.series import SeriesStore

    return SeriesService(booking_deps(), SeriesStore())


def bulk() -> BulkService:
    from chalicelib.services.reservations.bulk import BulkService
    from chalicelib.store.reservations.bulk import BulkStore

    return BulkService(booking_deps(), BulkStore())


def recovery() -> AnchorRecovery:
    from chalicelib.services.reservations.recovery import AnchorRecovery
    from chalicelib.store.reservations.bulk import BulkStore
    from chalicelib.store.reservations.repository import ReservationStore
    from chalicelib.store.reservations.series import SeriesStore

    return AnchorRecovery(
        BulkStore(), SeriesStore(), ReservationStore(), clock(), writer=booking_writer()
    )


# --- check-in and the no-show release (issue 10) ---------------------------------------------


def check_in() -> CheckInService:
    from chalicelib.domain.signed_links import SignedLinks
    from chalicelib.services.reservations.check_in import CheckInService
    from chalicelib.settings import get_settings
    from chalicelib.store.reservations.repository import ReservationStore

    links = SignedLinks(get_settings().secret_key, "check-in")
    return CheckInService(
        ReservationStore(),
        resource_store(),
        booking_writer(),
        clock(),
        links=links,
        counts=no_show_counts(),
    )


def no_shows() -> NoShowRelease:
    from chalicelib.services.reservations.no_shows import NoShowDeps, NoShowRelease
    from chalicelib.store.reservations.listing import ReservationListing
    from chalicelib.store.reservations.no_shows import NoShowCounts

    return NoShowRelease(
        NoShowDeps(
            listing=ReservationListing(),
            resources=resource_store(),
            writer=booking_writer(),
            counts=NoShowCounts(),
            series=series(),
        )
    )


def no_show_counts() -> NoShowCounts:
    from chalicelib.store.reservations.no_shows import NoShowCounts

    return NoShowCounts()
