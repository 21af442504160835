"""Identifiers are ULIDs: sortable by creation time, safe in URLs."""

from __future__ import annotations

from typing import Protocol

from ulid import ULID


class IdFactory(Protocol):
    def new_id(self) -> str: ...


class UlidFactory:
    def new_id(self) -> str:
        return str(ULID())


class SequentialIds:
    """Deterministic ids for tests: prefix-000001, prefix-000002, ..."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._n = 0

    def new_id(self) -> str:
        self._n += 1
        return f"{self._prefix}-{self._n:06d}"
