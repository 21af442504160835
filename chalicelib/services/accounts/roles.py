"""Custom roles: administrators define, edit, delete and assign named sets of scopes.

The built-in roles are shown next to the custom ones but never written here (their
assignment to users stays with the account service, which this one hands them to). What a
caller may do is decided per request from the roles it holds now (see
`services/accounts/auth.TokenAuthenticator`): an edited role bites on the next request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.domain.accounts.accounts import ROLE_DESCRIPTIONS, User
from chalicelib.domain.accounts.roles import (
    NOT_GRANTABLE,
    SCOPE_CATALOGUE,
    CustomRole,
    RoleChanges,
    custom_scopes,
    existing_name,
    new_role,
    split_role_name,
    validated_changes,
)
from chalicelib.domain.clock import Clock
from chalicelib.domain.principal import ROLE_SCOPES, Principal, Role, require_admin
from chalicelib.domain.timeutil import iso_z


class RoleDefinitions(Protocol):
    def create(self, role: CustomRole) -> None: ...
    def require(self, name: str) -> CustomRole: ...
    def all(self) -> list[CustomRole]: ...
    def scopes_of(self, names: Iterable[str]) -> dict[str, frozenset[str]]: ...
    def update(self, name: str, changes: RoleChanges, at: str) -> CustomRole: ...
    def delete(self, name: str, version: int | None) -> None: ...
    def assign_to_user(self, user_id: str, name: str) -> User: ...
    def unassign_from_user(self, user_id: str, name: str) -> User: ...


class ClientRoles(Protocol):
    def scopes_of(self, client_id: str) -> frozenset[str]: ...
    def assign(self, client_id: str, name: str) -> frozenset[str]: ...
    def unassign(self, client_id: str, name: str) -> frozenset[str]: ...


class BuiltinRoles(Protocol):
    """The account service's side: the built-in roles of users."""

    def assign_role(self, admin: Principal, user_id: str, role: Role) -> User: ...
    def remove_role(self, admin: Principal, user_id: str, role: Role) -> User: ...


class RoleScopes(Protocol):
    """What the token authenticator asks on each request of a holder of custom roles."""

    def user_scopes(self, names: frozenset[str]) -> frozenset[str]: ...
    def client_scopes(self, client_id: str) -> frozenset[str]: ...


@dataclass(frozen=True)
class RoleView:
    name: str
    description: str
    scopes: frozenset[str]
    builtin: bool
    version: int | None = None
    holders: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class ScopeView:
    name: str
    description: str
    grantable: bool


@dataclass(frozen=True)
class ClientRoleView:
    client_id: str
    roles: frozenset[str]
    scopes: frozenset[str]  # what the roles add to the client's own scopes


def _builtin(role: Role) -> RoleView:
    return RoleView(role.value, ROLE_DESCRIPTIONS[role], ROLE_SCOPES[role], builtin=True)


def _custom(role: CustomRole) -> RoleView:
    return RoleView(
        role.name,
        role.description,
        role.scopes,
        builtin=False,
        version=role.version,
        holders=role.holders,
        created_at=role.created_at,
        updated_at=role.updated_at,
        created_by=role.created_by,
    )


class RoleService:
    def __init__(
        self,
        *,
        roles: RoleDefinitions,
        client_roles: ClientRoles,
        builtin: BuiltinRoles,
        clock: Clock,
    ) -> None:
        self._roles = roles
        self._client_roles = client_roles
        self._builtin = builtin
        self._clock = clock

    # --- the catalogue and the definitions --------------------------------------------------

    def scopes(self, admin: Principal) -> list[ScopeView]:
        require_admin(admin)
        return [
            ScopeView(name, text, grantable=name not in NOT_GRANTABLE)
            for name, text in SCOPE_CATALOGUE.items()
        ]

    def list_roles(self, admin: Principal) -> list[RoleView]:
        require_admin(admin)
        return [_builtin(role) for role in Role] + [_custom(r) for r in self._roles.all()]

    def show(self, admin: Principal, name: str) -> RoleView:
        require_admin(admin)
        found = split_role_name(name)
        if isinstance(found, Role):
            return _builtin(found)
        return _custom(self._roles.require(found))

    def create(
        self, admin: Principal, name: str, description: str, scopes: Iterable[str]
    ) -> RoleView:
        require_admin(admin)
        role = new_role(name, description, scopes, by=admin.subject_id, at=self._clock.now())
        self._roles.create(role)
        return _custom(role)

    def update(self, admin: Principal, name: str, changes: RoleChanges) -> RoleView:
        require_admin(admin)
        checked = validated_changes(changes)
        at = iso_z(self._clock.now())
        return _custom(self._roles.update(existing_name(name), checked, at))

    def delete(self, admin: Principal, name: str, version: int | None) -> None:
        require_admin(admin)
        self._roles.delete(existing_name(name), version)

    # --- assignment -------------------------------------------------------------------------

    def assign_to_user(self, admin: Principal, user_id: str, name: str) -> User:
        require_admin(admin)
        role = split_role_name(name)
        if isinstance(role, Role):
            return self._builtin.assign_role(admin, user_id, role)
        return self._roles.assign_to_user(user_id, role)

    def unassign_from_user(self, admin: Principal, user_id: str, name: str) -> User:
        require_admin(admin)
        role = split_role_name(name)
        if isinstance(role, Role):
            return self._builtin.remove_role(admin, user_id, role)
        return self._roles.unassign_from_user(user_id, role)

    def assign_to_client(self, admin: Principal, client_id: str, name: str) -> ClientRoleView:
        require_admin(admin)
        held = self._client_roles.assign(client_id, existing_name(name))
        return self._client_view(client_id, held)

    def unassign_from_client(self, admin: Principal, client_id: str, name: str) -> ClientRoleView:
        require_admin(admin)
        held = self._client_roles.unassign(client_id, existing_name(name))
        return self._client_view(client_id, held)

    def _client_view(self, client_id: str, held: frozenset[str]) -> ClientRoleView:
        return ClientRoleView(
            client_id, held, StoredRoleScopes(self._roles, self._client_roles).user_scopes(held)
        )


class StoredRoleScopes:
    """The authenticator's port, read from the store on each request of a role holder."""

    def __init__(self, roles: RoleDefinitions, client_roles: ClientRoles) -> None:
        self._roles = roles
        self._client_roles = client_roles

    def user_scopes(self, names: frozenset[str]) -> frozenset[str]:
        return custom_scopes(names, self._roles.scopes_of(names)) if names else frozenset()

    def client_scopes(self, client_id: str) -> frozenset[str]:
        return self._client_roles.scopes_of(client_id)
