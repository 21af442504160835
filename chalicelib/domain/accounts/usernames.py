"""Username rules: 3-32 characters of [a-z0-9._-], unique regardless of case."""

from __future__ import annotations

import re

from chalicelib.domain.errors import InvalidInput

MIN_LENGTH = 3
MAX_LENGTH = 32
_ALLOWED = re.compile(r"^[a-z0-9._-]+$")


def normalize_username(raw: str) -> str:
    """The canonical form used for uniqueness and lookups (case-insensitive)."""
    return raw.strip().lower()


def validate_username(raw: str) -> str:
    """Return the canonical username or raise `InvalidInput` naming the broken rule."""
    name = normalize_username(raw)
    if not MIN_LENGTH <= len(name) <= MAX_LENGTH:
        raise _invalid("length", f"a username has {MIN_LENGTH} to {MAX_LENGTH} characters")
    if not _ALLOWED.match(name):
        raise _invalid("characters", "a username may only use a-z, 0-9, '.', '_' and '-'")
    if not name[0].isalnum():
        raise _invalid("first_character", "a username starts with a letter or a digit")
    return name


def _invalid(rule: str, message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_username", details={"rule": rule})
