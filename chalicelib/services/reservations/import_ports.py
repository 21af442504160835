"""What the reservations CSV import needs beyond the booking path: resource names and users
(store/catalog/names.py, store/accounts/users.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from chalicelib.domain.accounts.accounts import User


class ResourceNames(Protocol):
    def ids_by_name(self, names: Iterable[str]) -> dict[str, str]: ...


class UserDirectory(Protocol):
    def get(self, user_id: str) -> User | None: ...

    def find_by_username(self, username: str) -> User | None: ...
