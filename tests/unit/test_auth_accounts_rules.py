"""Profile rules (email, time zone, reminder hours), roles, and the secret box."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.accounts.accounts import (
    User,
    scopes_for,
    validate_email,
    validate_reminder_hours,
    validate_timezone,
)
from chalicelib.domain.accounts.secrets_box import DecryptionFailed, SecretBox
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.principal import ROLE_SCOPES, Role

KEY = "unit-test-secret-0123456789-0123456789"


@pytest.mark.parametrize("email", ["a@b.co", "first.last+tag@Example.ORG"])
def test_valid_emails_keep_the_local_part_and_lower_the_domain(email: str) -> None:
    local, _, domain = email.partition("@")
    assert validate_email(email) == f"{local}@{domain.lower()}"


@pytest.mark.parametrize("email", ["", "plain", "a@b", "a b@c.de", "a@-b.com", "@x.io"])
def test_invalid_emails_are_refused(email: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_email(email)
    assert caught.value.code == "invalid_email"


def test_timezones_must_be_iana_names() -> None:
    assert validate_timezone("Europe/Paris") == "Europe/Paris"
    for bad in ("Mars/Olympus", "../etc/passwd", "", "CEST+2"):
        with pytest.raises(InvalidInput):
            validate_timezone(bad)


def test_reminder_hours_between_zero_and_a_week() -> None:
    assert validate_reminder_hours(0) == 0
    assert validate_reminder_hours(168) == 168
    for bad in (-1, 169):
        with pytest.raises(InvalidInput):
            validate_reminder_hours(bad)


def test_a_user_without_roles_is_a_read_only_guest() -> None:
    user = User("u", "x", frozenset(), "h", datetime(2026, 1, 1, tzinfo=UTC))
    assert user.effective_roles == {Role.GUEST}
    assert user.scopes == ROLE_SCOPES[Role.GUEST]
    assert "reservations:write" not in user.scopes


def test_scopes_are_the_union_of_the_roles() -> None:
    assert scopes_for([Role.GUEST, Role.USER]) == ROLE_SCOPES[Role.USER]


def test_secret_box_round_trips_and_binds_to_its_owner() -> None:
    box = SecretBox(KEY, purpose="test")
    sealed = box.seal("JBSWY3DPEHPK3PXP", bound_to="user-1")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert box.open(sealed, bound_to="user-1") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(DecryptionFailed):
        box.open(sealed, bound_to="user-2")
    with pytest.raises(DecryptionFailed):
        SecretBox(KEY, purpose="other").open(sealed, bound_to="user-1")
    with pytest.raises(DecryptionFailed):
        box.open(sealed[:-4] + "AAAA", bound_to="user-1")
