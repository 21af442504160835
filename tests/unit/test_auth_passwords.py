"""Password policy: each rule refuses with its own name, good passwords pass."""

from __future__ import annotations

import pytest

from chalicelib.domain.accounts.passwords import PasswordPolicy, character_classes
from chalicelib.domain.errors import InvalidInput

POLICY = PasswordPolicy()


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Short-1", "min_length"),
        ("a" * 300 + "A1", "max_length"),
        ("alllowercaseletters", "character_classes"),
        ("1234567890123", "character_classes"),
        ("ééééééééééééé", "character_classes"),
    ],
)
def test_weak_passwords_name_the_rule_they_break(password: str, rule: str) -> None:
    # When a weak password is checked, Then the error says which rule failed
    with pytest.raises(InvalidInput) as caught:
        POLICY.check(password)
    assert caught.value.code == "weak_password"
    assert caught.value.details == {"rule": rule}


@pytest.mark.parametrize(
    "password", ["correct horse battery", "Tr0ub4dor&3x", "lowercase-and-dash", "ABCDEFGHIJ9"]
)
def test_passwords_mixing_two_classes_pass(password: str) -> None:
    POLICY.check(password)  # no exception


def test_password_containing_the_username_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        POLICY.check("my-name-is-charlie", username="charlie")
    assert caught.value.details == {"rule": "contains_username"}


def test_very_short_usernames_do_not_forbid_passwords() -> None:
    POLICY.check("Bobsleigh-2026", username="bob")


def test_character_classes_counts_each_family_once() -> None:
    assert character_classes("aaa") == 1
    assert character_classes("aA") == 2
    assert character_classes("aA1") == 3
    assert character_classes("aA1!") == 4
