"""Composition root: builds services with their real adapters, once, on first use.

Tests reset it with `reset()` after changing the environment; nothing here runs at import.
"""

from __future__ import annotations

from functools import lru_cache

from chalicelib.domain.clock import Clock, SystemClock
from chalicelib.domain.ids import IdFactory, UlidFactory
from chalicelib.observability import logger
from chalicelib.settings import get_settings, reset_settings
from chalicelib.store.pagination import CursorCodec


@lru_cache(maxsize=1)
def clock() -> Clock:
    return _pinned_clock[0] if _pinned_clock else SystemClock()


@lru_cache(maxsize=1)
def ids() -> IdFactory:
    return UlidFactory()


@lru_cache(maxsize=1)
def cursors() -> CursorCodec:
    return CursorCodec(get_settings().secret_key)


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
    from chalicelib.store.table import unbind

    reset_settings()
    unbind()
    _pinned_clock.clear()
    for factory in (clock, ids, cursors):
        factory.cache_clear()


def use_clock(new_clock: Clock) -> None:
    """Replace the clock at the composition root (tests freeze time this way)."""
    clock.cache_clear()
    _pinned_clock[:] = [new_clock]


_pinned_clock: list[Clock] = []
