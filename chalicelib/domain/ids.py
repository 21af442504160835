"""Identifiers are ULIDs: sortable by creation time, safe in URLs."""

from __future__ import annotations

from typing import Protocol

from chalicelib.domain.clock import Clock


class IdFactory(Protocol):
    def new_id(self) -> str: ...


class UlidFactory:
    """ULIDs whose time part comes from the app's clock, so an id sorts with the instants the
    app writes beside it (a frozen clock in tests, the system clock in production)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def new_id(self) -> str:
        # python-ulid reads its own version from package metadata on import: not on every cold
        # start of the API handler, only where an id is made or read (issue 15).
        from ulid import ULID

        return str(ULID.from_datetime(self._clock.now()))


class SequentialIds:
    """Deterministic ids for tests: prefix-000001, prefix-000002, ..."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._n = 0

    def new_id(self) -> str:
        self._n += 1
        return f"{self._prefix}-{self._n:06d}"
