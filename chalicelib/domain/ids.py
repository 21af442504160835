"""Identifiers are ULIDs: sortable by creation time, safe in URLs."""

from __future__ import annotations

from typing import Protocol

from ulid import ULID

from chalicelib.domain.clock import Clock


class IdFactory(Protocol):
    def new_id(self) -> str: ...


class UlidFactory:
    """ULIDs whose time part comes from the app's clock, so an id sorts with the instants the
    app writes beside it (a frozen clock in tests, the system clock in production)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def new_id(self) -> str:
        return str(ULID.from_datetime(self._clock.now()))


class SequentialIds:
    """Deterministic ids for tests: prefix-000001, prefix-000002, ..."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._n = 0

    def new_id(self) -> str:
        self._n += 1
        return f"{self._prefix}-{self._n:06d}"
