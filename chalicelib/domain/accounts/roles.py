"""Custom roles: named sets of the API's permission scopes, made by administrators (pure).

The built-in roles (admin, user, guest) stay as they are: they cannot be edited, deleted or
shadowed by a custom role of the same name. A custom role grants scopes from the one
catalogue below and nothing else. The `admin` scope is not grantable: who administers the
deployment is decided by the built-in admin role alone, so it shows in one place and the
"cannot remove your own admin role" guard keeps holding (there is no scope above admin, so a
custom role can never escalate beyond what an administrator already has).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.principal import ALL_SCOPES, Role

# Every permission scope the API knows, with what it allows (GET /api/v1/roles/scopes).
SCOPE_CATALOGUE: dict[str, str] = {
    "resources:read": "Browse resources, their schedules and availability.",
    "resources:write": "Create, edit and delete resources, their tags and availability.",
    "reservations:read": "Read reservations and series (one's own, or all for administrators).",
    "reservations:write": "Book, change and cancel reservations and series.",
    "admin": "Everything; granted only by the built-in admin role.",
}
NOT_GRANTABLE = frozenset({"admin"})
GRANTABLE_SCOPES = frozenset(SCOPE_CATALOGUE) - NOT_GRANTABLE
# Scopes that let a holder write: a guest holding one through a custom role is no longer
# read-only (principal.Principal.is_read_only).
WRITE_SCOPES = frozenset(s for s in SCOPE_CATALOGUE if s.endswith(":write"))

BUILTIN_NAMES = frozenset(role.value for role in Role)
# Path words under /api/v1/roles/ that a role name would shadow.
RESERVED_NAMES = frozenset({"scopes", "my-roles", "assign", "assign-client", "clients"})
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
MAX_DESCRIPTION = 200
MAX_CUSTOM_ROLES_PER_HOLDER = 10

assert set(SCOPE_CATALOGUE) == set(ALL_SCOPES), "every scope needs a catalogue line"


@dataclass(frozen=True)
class CustomRole:
    name: str
    description: str
    scopes: frozenset[str]
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    # How many users and OAuth clients hold the role (kept by the same transactions that
    # assign and unassign it, so a delete can be refused while it is in use, race-free).
    holders: int = 0


@dataclass(frozen=True)
class RoleChanges:
    """A PUT (every field) or PATCH (None = keep); `version` = the version the editor saw."""

    description: str | None = None
    scopes: frozenset[str] | None = None
    version: int | None = None


def validate_name(raw: str) -> str:
    name = raw.strip().lower()
    if name in BUILTIN_NAMES:
        raise Conflict(
            f"'{name}' is a built-in role: it cannot be created, edited or deleted",
            code="builtin_role",
        )
    if name in RESERVED_NAMES or not _NAME.match(name):
        raise InvalidInput(
            "a role name is 2-32 characters: lowercase letters, digits and '-', "
            "starting with a letter",
            code="invalid_role_name",
            details={"reserved": sorted(RESERVED_NAMES)},
        )
    return name


def validate_scopes(scopes: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(scopes)
    unknown = sorted(wanted - frozenset(SCOPE_CATALOGUE))
    if unknown:
        raise InvalidInput(
            "unknown scopes",
            code="invalid_scope",
            details={"unknown": unknown, "allowed": sorted(GRANTABLE_SCOPES)},
        )
    withheld = sorted(wanted & NOT_GRANTABLE)
    if withheld:
        raise InvalidInput(
            "the admin scope is granted only by the built-in admin role",
            code="scope_not_grantable",
            details={"not_grantable": withheld, "allowed": sorted(GRANTABLE_SCOPES)},
        )
    if not wanted:
        raise InvalidInput("a role needs at least one scope", code="invalid_scope")
    return wanted


def validate_description(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"a description is at most {MAX_DESCRIPTION} characters",
            code="invalid_description",
        )
    return cleaned


def new_role(
    name: str, description: str, scopes: Iterable[str], *, by: str, at: datetime
) -> CustomRole:
    return CustomRole(
        name=validate_name(name),
        description=validate_description(description),
        scopes=validate_scopes(scopes),
        version=1,
        created_at=at,
        updated_at=at,
        created_by=by,
    )


def validated_changes(changes: RoleChanges) -> RoleChanges:
    return RoleChanges(
        description=(
            None if changes.description is None else validate_description(changes.description)
        ),
        scopes=None if changes.scopes is None else validate_scopes(changes.scopes),
        version=changes.version,
    )


def existing_name(raw: str) -> str:
    """A custom role's name in a lookup (show, edit, delete, assign): a built-in name is
    refused (409 builtin_role), a name no role could have names nothing (404)."""
    name = raw.strip().lower()
    if name in BUILTIN_NAMES:
        validate_name(name)
    if name in RESERVED_NAMES or not _NAME.match(name):
        raise NotFound(f"no custom role '{raw}'", code="role_not_found", details={"role": raw})
    return name


def split_role_name(raw: str) -> Role | str:
    """A name from an assignment: the built-in role it names, or an existing custom name."""
    name = raw.strip().lower()
    if name in BUILTIN_NAMES:
        return Role(name)
    return existing_name(name)


def custom_scopes(names: Iterable[str], defined: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The union of the named roles' scopes; a name no longer defined grants nothing."""
    granted: set[str] = set()
    for name in names:
        granted |= defined.get(name, frozenset())
    return frozenset(granted) & GRANTABLE_SCOPES
