"""Password policy (pure) and the hashing port the services depend on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.errors import InvalidInput


class PasswordHasher(Protocol):
    """Port: the argon2 adapter lives in `chalicelib.integrations.passwords`."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def verify_dummy(self, password: str) -> None:
        """Spend the time of one verification (unknown users must not answer faster)."""
        ...


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 10
    # argon2 hashes anything, but a megabyte password is a cheap way to burn our CPU.
    max_length: int = 256
    min_classes: int = 2

    def check(self, password: str, *, username: str = "") -> None:
        """Raise `InvalidInput(code="weak_password")` whose details name the failed rule."""
        if len(password) < self.min_length:
            raise _weak("min_length", f"a password has at least {self.min_length} characters")
        if len(password) > self.max_length:
            raise _weak("max_length", f"a password has at most {self.max_length} characters")
        if character_classes(password) < self.min_classes:
            raise _weak(
                "character_classes",
                "a password mixes at least two of: lower case, upper case, digits, symbols",
            )
        # Very short names ("bob") would forbid too many fine passwords.
        if len(username) >= 4 and username.lower() in password.lower():
            raise _weak("contains_username", "a password must not contain the username")


def character_classes(password: str) -> int:
    classes = (
        # Caseless scripts (CJK...) count with the lower-case letters.
        any(c.islower() or (c.isalpha() and not c.isupper()) for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    return sum(classes)


def _weak(rule: str, message: str) -> InvalidInput:
    return InvalidInput(message, code="weak_password", details={"rule": rule})
