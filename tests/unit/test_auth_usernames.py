"""Username rules: 3-32 of [a-z0-9._-], case-insensitive."""

from __future__ import annotations

import pytest

from chalicelib.domain.accounts.usernames import normalize_username, validate_username
from chalicelib.domain.errors import InvalidInput


@pytest.mark.parametrize("raw", ["abc", "Alice", "j.doe_2-x", "a" * 32])
def test_valid_usernames_are_returned_lower_case(raw: str) -> None:
    assert validate_username(raw) == raw.lower()


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("ab", "length"),
        ("a" * 33, "length"),
        ("with space", "characters"),
        ("émile", "characters"),
        ("semi;colon", "characters"),
        ("-dash", "first_character"),
        (".dot", "first_character"),
    ],
)
def test_invalid_usernames_name_the_rule(raw: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_username(raw)
    assert caught.value.code == "invalid_username"
    assert caught.value.details == {"rule": rule}


def test_normalization_makes_case_variants_equal() -> None:
    assert normalize_username(" ALICE ") == normalize_username("alice")
