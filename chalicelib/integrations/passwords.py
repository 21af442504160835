"""The argon2id adapter behind `domain.auth.passwords.PasswordHasher`."""

from __future__ import annotations

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self._argon = Argon2(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        # Verified against when the username is unknown, so both paths cost the same.
        self._dummy = self._argon.hash("dummy password for timing")

    def hash(self, password: str) -> str:
        return str(self._argon.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._argon.verify(password_hash, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> None:
        self.verify(self._dummy, password)
