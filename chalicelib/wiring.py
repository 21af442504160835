"""Composition root: builds services with their real adapters, once, on first use.

Tests reset it with `reset()` after changing the environment; nothing here runs at import.
"""

from __future__ import annotations

from concurrent.futures import Executor
from functools import lru_cache
from typing import TYPE_CHECKING

from chalicelib.domain.clock import Clock, SystemClock
from chalicelib.domain.ids import IdFactory, UlidFactory
from chalicelib.observability import logger
from chalicelib.settings import get_settings, reset_settings
from chalicelib.store.pagination import CursorCodec

if TYPE_CHECKING:
    from chalicelib.integrations.websocket_sender import WebsocketPort, WebsocketSender
    from chalicelib.services.accounts.accounts import AccountService
    from chalicelib.services.accounts.auth import SessionService, TokenAuthenticator
    from chalicelib.services.accounts.auth_kit import AuthKit
    from chalicelib.services.accounts.mfa import MfaService
    from chalicelib.services.accounts.oauth import OAuthService
    from chalicelib.services.catalog.availability import AvailabilityService
    from chalicelib.services.catalog.bulk_edit import ResourceBulkService
    from chalicelib.services.catalog.resources import ResourceService
    from chalicelib.services.catalog.rules import ResourceRulesService
    from chalicelib.services.reservations.booking import BookingService
    from chalicelib.services.reservations.bulk import BulkService
    from chalicelib.services.reservations.idempotent import IdempotentCreates
    from chalicelib.services.reservations.queries import ReservationQueries
    from chalicelib.services.reservations.recovery import AnchorRecovery
    from chalicelib.services.reservations.series import SeriesService
    from chalicelib.store.catalog.repository import ResourceStore
    from chalicelib.store.pipeline.connections import ConnectionStore
    from chalicelib.store.reservations.writer import BookingWriter


@lru_cache(maxsize=1)
def clock() -> Clock:
    """The app's one clock: every instant a service or store writes or compares."""
    return _pinned_clock[0] if _pinned_clock else SystemClock()


def wall_clock() -> Clock:
    """The system clock, for the times others stamp with it (Powertools' idempotency
    `expiration`); see docs/data-model.md "Time". Tests pin it to follow their frozen clock."""
    return _pinned_wall_clock[0] if _pinned_wall_clock else SystemClock()


@lru_cache(maxsize=1)
def ids() -> IdFactory:
    return _pinned_ids[0] if _pinned_ids else UlidFactory(clock())


@lru_cache(maxsize=1)
def cursors() -> CursorCodec:
    return CursorCodec(get_settings().secret_key)


@lru_cache(maxsize=1)
def auth_kit() -> AuthKit:
    from chalicelib.services.accounts.auth_kit import AuthKit

    return AuthKit(get_settings())


def accounts() -> AccountService:
    return auth_kit().accounts(clock(), ids(), cursors())


def sessions() -> SessionService:
    return auth_kit().sessions(clock(), ids())


def authenticator() -> TokenAuthenticator:
    return auth_kit().authenticator(clock())


def mfa() -> MfaService:
    return auth_kit().mfa(clock())


def oauth() -> OAuthService:
    return auth_kit().oauth(clock(), ids(), cursors())


@lru_cache(maxsize=1)
def prefetch_pool() -> Executor:
    """Threads for a request's independent reads (see services/prefetch.py)."""
    from chalicelib.services.prefetch import ContextPool

    return ContextPool(max_workers=8, thread_name_prefix="prefetch")


def booking_writer() -> BookingWriter:
    from chalicelib.store.reservations.writer import BookingWriter

    return BookingWriter(ids(), resource_repository())


def idempotent_creates() -> IdempotentCreates:
    from chalicelib.services.reservations.idempotent import IdempotentCreates
    from chalicelib.store.reservations.idempotency import IdempotencyStore

    return IdempotentCreates(IdempotencyStore(), clock())


def booking() -> BookingService:
    from chalicelib.services.reservations.booking import BookingService
    from chalicelib.store.reservations.repository import ReservationStore

    return BookingService(
        resource_repository(),
        ReservationStore(),
        clock(),
        writer=booking_writer(),
        idempotency=idempotent_creates(),
        ids=ids(),
    )


def reservation_queries() -> ReservationQueries:
    from chalicelib.services.reservations.queries import ReservationQueries
    from chalicelib.store.reservations.listing import ReservationListing
    from chalicelib.store.reservations.repository import ReservationStore

    return ReservationQueries(
        ReservationStore(),
        ReservationListing(),
        resource_repository(),
        cursors(),
        clock(),
    )


def series() -> SeriesService:
    from chalicelib.services.reservations.series import SeriesService
    from chalicelib.store.reservations.repository import ReservationStore
    from chalicelib.store.reservations.series import SeriesStore

    return SeriesService(
        resource_repository(),
        ReservationStore(),
        SeriesStore(),
        clock(),
        writer=booking_writer(),
        idempotency=idempotent_creates(),
        ids=ids(),
    )


def bulk() -> BulkService:
    from chalicelib.services.reservations.bulk import BulkService
    from chalicelib.store.reservations.bulk import BulkStore
    from chalicelib.store.reservations.repository import ReservationStore

    return BulkService(
        resource_repository(),
        ReservationStore(),
        BulkStore(),
        clock(),
        writer=booking_writer(),
        idempotency=idempotent_creates(),
        ids=ids(),
    )


def recovery() -> AnchorRecovery:
    from chalicelib.services.reservations.recovery import AnchorRecovery
    from chalicelib.store.reservations.bulk import BulkStore
    from chalicelib.store.reservations.repository import ReservationStore
    from chalicelib.store.reservations.series import SeriesStore

    return AnchorRecovery(
        BulkStore(),
        SeriesStore(),
        ReservationStore(),
        clock(),
        writer=booking_writer(),
    )


def resource_repository() -> ResourceStore:
    from chalicelib.store.catalog.repository import ResourceStore

    return ResourceStore(cursors())


def resources() -> ResourceService:
    from chalicelib.services.catalog.occupancy import ReservationPorts
    from chalicelib.services.catalog.resources import ResourceService

    ports = ReservationPorts(
        lambda actor, rid, reason: booking().cancel(actor, rid, reason), prefetch_pool()
    )
    return ResourceService(resource_repository(), clock(), ids(), ports, ports)


def availability() -> AvailabilityService:
    from chalicelib.services.catalog.availability import AvailabilityService, SlotOccupancy

    return AvailabilityService(
        resource_repository(), resources(), clock(), prefetch_pool(), SlotOccupancy()
    )


def resource_rules() -> ResourceRulesService:
    from chalicelib.services.catalog.rules import ResourceRulesService

    return ResourceRulesService(resource_repository(), clock(), ids())


def resource_bulk() -> ResourceBulkService:
    from chalicelib.services.catalog.bulk_edit import ResourceBulkService

    return ResourceBulkService(resource_repository(), clock(), ids())


@lru_cache(maxsize=1)
def connections() -> ConnectionStore:
    from chalicelib.store.pipeline.connections import ConnectionStore

    return ConnectionStore()


def websocket_sender() -> WebsocketSender:
    from chalicelib.integrations.websocket_api import websocket_api
    from chalicelib.integrations.websocket_sender import WebsocketSender

    api = _pinned_websocket_api[0] if _pinned_websocket_api else websocket_api
    return WebsocketSender(api, connections(), clock())


def health_checks() -> dict[str, str]:
    from chalicelib.store.health import ping_table

    try:
        ping_table()
        return {"dynamodb": "ok"}
    except Exception as exc:  # a probe reports, it does not raise
        logger.warning("health probe failed", extra={"error": type(exc).__name__})
        return {"dynamodb": "unreachable"}


def reset() -> None:
    """Drop every cached service and setting (tests, and a stage change in the local stack)."""
    from chalicelib import wiring_events
    from chalicelib.store import audit_stamp
    from chalicelib.store.catalog import reference_cache
    from chalicelib.store.table import unbind

    reset_settings()
    unbind()
    reference_cache.forget_all()
    wiring_events.reset()
    _pinned_clock.clear()
    _pinned_wall_clock.clear()
    _pinned_ids.clear()
    audit_stamp.use_clock(SystemClock())
    _pinned_websocket_api.clear()
    for factory in (clock, ids, cursors, auth_kit, connections):
        factory.cache_clear()
    from chalicelib.integrations.websocket_api import websocket_api

    websocket_api.reset()


def use_clock(new_clock: Clock) -> None:
    """Replace the clock at the composition root (tests freeze time this way): services,
    ids and the audit stamps of store writes all follow it."""
    from chalicelib.store import audit_stamp

    clock.cache_clear()
    ids.cache_clear()
    _pinned_clock[:] = [new_clock]
    audit_stamp.use_clock(new_clock)


def use_wall_clock(new_clock: Clock) -> None:
    """Replace the system clock seen by `wall_clock()` (tests make it follow their clock)."""
    _pinned_wall_clock[:] = [new_clock]


def use_ids(new_ids: IdFactory) -> None:
    """Replace the id factory (tests use deterministic ids this way)."""
    ids.cache_clear()
    _pinned_ids[:] = [new_ids]


def use_websocket_api(api: WebsocketPort) -> None:
    """Replace the WebSocket management API (tests record pushes with a fake)."""
    _pinned_websocket_api[:] = [api]


_pinned_clock: list[Clock] = []
_pinned_wall_clock: list[Clock] = []
_pinned_ids: list[IdFactory] = []
_pinned_websocket_api: list[WebsocketPort] = []
