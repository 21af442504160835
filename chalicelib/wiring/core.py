"""The parts every aggregate's wiring uses, and the one override registry.

`built(fn)` caches a factory's product until `reset()` or an `override()`; `pick(name, build)`
returns the override of `name` if a test set one, else builds. Settings are read lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from chalicelib.domain.clock import Clock, SystemClock
from chalicelib.domain.ids import IdFactory, UlidFactory
from chalicelib.observability import logger
from chalicelib.settings import get_settings, reset_settings

if TYPE_CHECKING:
    from chalicelib.integrations.websocket_sender import WebsocketPort
    from chalicelib.store.pagination import CursorCodec

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
_overrides: dict[str, Any] = {}
_caches: list[Any] = []


def built(factory: F) -> F:
    """Build once, until `reset()` or an `override()` (which may change what it is made of)."""
    cached = lru_cache(maxsize=16)(factory)
    _caches.append(cached)
    return cast(F, cached)


def pick(name: str, build: Callable[[], T]) -> T:
    if name in _overrides:
        return cast(T, _overrides[name])
    return build()


def override(name: str, value: Any) -> None:
    """Replace one collaborator (tests, the local stack): `override("mailer", FlakyMailer())`."""
    _overrides[name] = value
    _forget_built()


def _forget_built() -> None:
    for cached in _caches:
        cached.cache_clear()


def rebuild() -> None:
    """Re-read the settings and rebuild services on next use, keeping the overrides."""
    reset_settings()
    _forget_built()


def reset() -> None:
    """Drop every built service, override and setting (tests, a stage change locally)."""
    from chalicelib.integrations import aws_clients
    from chalicelib.integrations.websocket_api import websocket_api
    from chalicelib.store import audit_stamp
    from chalicelib.store.catalog import reference_cache
    from chalicelib.store.table import unbind

    reset_settings()
    unbind()
    reference_cache.forget_all()
    # booking quotas (issue 13): the cached rule list
    from chalicelib.store.quotas import repository as quota_store

    quota_store.forget_rules()
    _overrides.clear()
    _forget_built()
    aws_clients.reset()
    audit_stamp.use_clock(SystemClock())
    websocket_api.reset()


# --- time, ids, cursors -------------------------------------------------------------------------


@built
def clock() -> Clock:
    """The app's one clock: every instant a service or store writes or compares."""
    return pick("clock", SystemClock)


def wall_clock() -> Clock:
    """The system clock, for the times others stamp with it (Powertools' idempotency
    `expiration`); see docs/data-model.md "Time". Tests make it follow their frozen clock."""
    return pick("wall_clock", SystemClock)


@built
def ids() -> IdFactory:
    return pick("ids", lambda: UlidFactory(clock()))


@built
def cursors() -> CursorCodec:
    # Imported here: cryptography's AES-GCM is for list routes only, not every cold start.
    from chalicelib.store.pagination import CursorCodec

    return CursorCodec(get_settings().secret_key)


def use_clock(new_clock: Clock) -> None:
    """Freeze (or move) time for everything: services, ids and the store's write stamps."""
    from chalicelib.store import audit_stamp

    override("clock", new_clock)
    audit_stamp.use_clock(new_clock)


def use_wall_clock(new_clock: Clock) -> None:
    override("wall_clock", new_clock)


def use_ids(new_ids: IdFactory) -> None:
    override("ids", new_ids)


def use_websocket_api(api: WebsocketPort) -> None:
    """Replace the WebSocket management API (tests record pushes with a fake)."""
    override("websocket_api", api)


# --- shared infrastructure --------------------------------------------------------------------


def aws(service: str) -> Any:
    from chalicelib.integrations import aws_clients

    return pick(f"aws:{service}", lambda: aws_clients.client(service, get_settings().region))


@built
def prefetch_pool() -> Executor:
    """Threads for a request's independent reads (see services/prefetch.py)."""
    from chalicelib.services.prefetch import ContextPool

    return ContextPool(max_workers=8, thread_name_prefix="prefetch")


def health_checks() -> dict[str, str]:
    from chalicelib.store.health import ping_table

    try:
        ping_table()
        return {"dynamodb": "ok"}
    except Exception as exc:  # a probe reports, it does not raise
        logger.warning("health probe failed", extra={"error": type(exc).__name__})
        return {"dynamodb": "unreachable"}
