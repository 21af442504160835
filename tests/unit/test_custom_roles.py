"""Custom roles' pure rules (roles14): names, scopes, built-ins protected, scope union."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.accounts.roles import (
    GRANTABLE_SCOPES,
    SCOPE_CATALOGUE,
    RoleChanges,
    custom_scopes,
    existing_name,
    new_role,
    split_role_name,
    validate_name,
    validate_scopes,
    validated_changes,
)
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.principal import ALL_SCOPES, ROLE_SCOPES, Role

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_the_catalogue_is_every_scope_the_api_knows() -> None:
    assert set(SCOPE_CATALOGUE) == ALL_SCOPES
    assert ALL_SCOPES - {"admin"} == GRANTABLE_SCOPES
    # No custom role can hold more than an administrator already has.
    assert ROLE_SCOPES[Role.ADMIN] > GRANTABLE_SCOPES


def test_a_new_role_is_normalised_and_starts_at_version_one() -> None:
    role = new_role(" Catalog-Editors ", "  edits  ", ["resources:write"], by="u1", at=AT)
    assert (role.name, role.description, role.version, role.holders) == (
        "catalog-editors",
        "edits",
        1,
        0,
    )
    assert role.scopes == frozenset({"resources:write"})


@pytest.mark.parametrize("name", ["admin", "USER", " guest "])
def test_builtin_names_cannot_be_taken(name: str) -> None:
    with pytest.raises(Conflict) as raised:
        validate_name(name)
    assert raised.value.code == "builtin_role"


@pytest.mark.parametrize(
    "name", ["x", "1abc", "a" * 33, "has space", "émoji", "scopes", "my-roles", "assign", "a_b"]
)
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        validate_name(name)
    assert raised.value.code == "invalid_role_name"


@pytest.mark.parametrize(
    ("scopes", "code"),
    [
        ([], "invalid_scope"),
        (["resources:read", "nope"], "invalid_scope"),
        (["admin"], "scope_not_grantable"),
        (["admin", "resources:read"], "scope_not_grantable"),
    ],
)
def test_only_known_grantable_scopes(scopes: list[str], code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        validate_scopes(scopes)
    assert raised.value.code == code


def test_a_description_is_bounded() -> None:
    with pytest.raises(InvalidInput):
        new_role("long", "d" * 201, ["resources:read"], by="u1", at=AT)


def test_changes_keep_what_is_not_given() -> None:
    checked = validated_changes(RoleChanges(description=None, scopes=None, version=3))
    assert checked == RoleChanges(None, None, 3)
    with pytest.raises(InvalidInput):
        validated_changes(RoleChanges(scopes=frozenset({"admin"})))


def test_lookups_refuse_builtins_and_name_nothing_for_impossible_names() -> None:
    with pytest.raises(Conflict):
        existing_name("admin")
    with pytest.raises(NotFound):
        existing_name("01NOSUCHID0000000000000000")
    assert existing_name("Catalog") == "catalog"
    assert split_role_name("Guest") is Role.GUEST
    assert split_role_name("catalog") == "catalog"


def test_scopes_are_the_union_of_defined_roles_and_never_admin() -> None:
    defined = {
        "a": frozenset({"resources:read"}),
        "b": frozenset({"resources:write", "admin"}),  # a tampered item grants no admin
    }
    assert custom_scopes(["a", "b", "gone"], defined) == {"resources:read", "resources:write"}
    assert custom_scopes([], defined) == frozenset()
