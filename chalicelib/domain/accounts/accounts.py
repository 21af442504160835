"""The user account entity and its pure rules (email, time zone, preferences, roles)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.accounts.email_verification import PendingVerification
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.principal import ROLE_SCOPES, Role

MAX_REMINDER_HOURS = 168
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ADMIN: "Manages users, roles, resources and settings; may act on any record.",
    Role.USER: "Books resources and manages their own reservations.",
    Role.GUEST: "Read-only: may browse resources and availability.",
}


@dataclass(frozen=True)
class Mfa:
    enabled: bool = False
    secret_sealed: str | None = None  # AES-GCM ciphertext of the active TOTP seed
    pending_secret_sealed: str | None = None  # set by setup, promoted by verify
    last_step: int | None = None  # last accepted TOTP time step (replay guard)
    backup_code_count: int = 0


@dataclass(frozen=True)
class User:
    user_id: str
    username: str
    roles: frozenset[Role]
    password_hash: str
    created_at: datetime
    email: str | None = None
    token_version: int = 0
    disabled: bool = False
    email_notifications: bool = True
    reminder_hours: int = 24
    timezone: str = "UTC"
    mfa: Mfa = field(default_factory=Mfa)
    # No mail goes to `email` until it is verified (finding 14); the pending link's nonce.
    email_verified: bool = False
    email_verification: PendingVerification | None = None
    # Custom roles (domain/accounts/roles.py) by name; their scopes add to the built-in ones.
    custom_roles: frozenset[str] = frozenset()

    @property
    def effective_roles(self) -> frozenset[Role]:
        """A user stripped of every role keeps the least privilege: guest."""
        return self.roles or frozenset({Role.GUEST})

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def scopes(self) -> frozenset[str]:
        return scopes_for(self.effective_roles)


@dataclass(frozen=True)
class ProfileChanges:
    """Fields a user may change on their own profile; None means "leave as is"."""

    email: str | None = None
    clear_email: bool = False
    email_notifications: bool | None = None
    reminder_hours: int | None = None
    timezone: str | None = None
    # A new address starts unverified with a fresh link (set by the service, never the caller).
    verification: PendingVerification | None = None


def scopes_for(roles: Iterable[Role]) -> frozenset[str]:
    scopes: set[str] = set()
    for role in roles:
        scopes |= ROLE_SCOPES[role]
    return frozenset(scopes)


def validate_email(raw: str) -> str:
    email = raw.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput("this is not a valid email address", code="invalid_email")
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def validate_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"'{name}' is not an IANA time zone (for example Europe/Paris)",
            code="invalid_timezone",
        ) from exc
    return name


def validate_reminder_hours(hours: int) -> int:
    if not 0 <= hours <= MAX_REMINDER_HOURS:
        raise InvalidInput(
            f"reminder_hours is between 0 and {MAX_REMINDER_HOURS}", code="invalid_reminder_hours"
        )
    return hours


def validated_changes(changes: ProfileChanges) -> ProfileChanges:
    return ProfileChanges(
        email=None if changes.email is None else validate_email(changes.email),
        clear_email=changes.clear_email,
        email_notifications=changes.email_notifications,
        reminder_hours=(
            None
            if changes.reminder_hours is None
            else validate_reminder_hours(changes.reminder_hours)
        ),
        timezone=None if changes.timezone is None else validate_timezone(changes.timezone),
        verification=changes.verification,
    )
