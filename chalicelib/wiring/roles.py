"""Custom roles (issue 14, roles14): the role service and the role-aware OAuth client store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.core import clock

if TYPE_CHECKING:
    from chalicelib.services.accounts.roles import RoleService, StoredRoleScopes
    from chalicelib.store.accounts.client_roles import RoleAwareClientStore


def roles() -> RoleService:
    from chalicelib.services.accounts.roles import RoleService
    from chalicelib.store.accounts.client_roles import ClientRoleStore
    from chalicelib.store.accounts.roles import RoleStore
    from chalicelib.wiring.accounts import accounts

    store = RoleStore()
    return RoleService(
        roles=store,
        client_roles=ClientRoleStore(store),
        builtin=accounts(),
        clock=clock(),
    )


def role_scopes() -> StoredRoleScopes:
    """What the token authenticator asks (light: no account service, no password hasher)."""
    from chalicelib.services.accounts.roles import StoredRoleScopes
    from chalicelib.store.accounts.client_roles import ClientRoleStore
    from chalicelib.store.accounts.roles import RoleStore

    store = RoleStore()
    return StoredRoleScopes(store, ClientRoleStore(store))


def role_aware_clients() -> RoleAwareClientStore:
    """The OAuth service's client store: a client's scopes include those of its roles."""
    from chalicelib.store.accounts.client_roles import RoleAwareClientStore

    return RoleAwareClientStore()
