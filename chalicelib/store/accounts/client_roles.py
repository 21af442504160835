"""Custom roles held by OAuth clients: a client's scopes may be given through a role.

Keys: OAUTHCLIENT#<client_id> / ROLES  the names of the custom roles the client holds.

Kept apart from the client item (store/accounts/oauth_clients.py) so the OAuth grant code
stays as it is: `RoleAwareClientStore` is the client store the OAuth service is wired with,
and the client it returns holds its own scopes plus those of its roles. Assigning is one
transaction (client exists, its set gains the name, the role's `holders` goes up), as for
users (store/accounts/roles.py).
"""

from __future__ import annotations

from dataclasses import replace

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.domain.accounts.oauth_clients import OAuthClient
from chalicelib.domain.accounts.roles import custom_scopes
from chalicelib.domain.errors import NotFound
from chalicelib.store import audit_stamp
from chalicelib.store.accounts.base import failed_positions, transaction
from chalicelib.store.accounts.oauth_clients import (
    CLIENT_SK,
    OAuthClientItem,
    OAuthClientStore,
    client_pk,
)
from chalicelib.store.accounts.roles import (
    RoleItem,
    RoleStore,
    holders_actions,
    may_take,
    role_key,
    too_many_roles,
)
from chalicelib.store.accounts.roles import role_not_found as _role_not_found
from chalicelib.store.table import TableItem, bind

ROLES_SK = "ROLES"


class ClientRolesItem(TableItem, discriminator="client_roles"):
    client_roles_id = UnicodeAttribute()  # the client id (the audit log's entity id)
    roles = UnicodeSetAttribute(null=True)


def _key(client_id: str) -> ClientRolesItem:
    return ClientRolesItem(PK=client_pk(client_id), SK=ROLES_SK)


def _client_not_found() -> NotFound:
    return NotFound("no such OAuth client", code="client_not_found")


class ClientRoleStore:
    def __init__(self, roles: RoleStore | None = None) -> None:
        self._roles = roles or RoleStore()

    def roles_of(self, client_id: str) -> frozenset[str]:
        bind()
        try:
            item = ClientRolesItem.get(client_pk(client_id), ROLES_SK, consistent_read=True)
        except DoesNotExist:
            return frozenset()
        return frozenset(item.roles or ())

    def scopes_of(self, client_id: str) -> frozenset[str]:
        """The scopes the client's custom roles grant (read now: an edit bites at once)."""
        names = self.roles_of(client_id)
        return custom_scopes(names, self._roles.scopes_of(names)) if names else frozenset()

    def assign(self, client_id: str, name: str) -> frozenset[str]:
        try:
            with transaction() as tx:
                tx.condition_check(
                    OAuthClientItem, client_pk(client_id), CLIENT_SK, OAuthClientItem.PK.exists()
                )
                tx.update(
                    _key(client_id),
                    actions=[
                        ClientRolesItem.roles.add({name}),
                        ClientRolesItem.client_roles_id.set(client_id),
                        # An update creates the item: name its type (the audit log reads it).
                        ClientRolesItem.type.set(ClientRolesItem),
                        *audit_stamp.stamp_actions(),
                    ],
                    condition=may_take(ClientRolesItem.roles, name),
                )
                tx.update(
                    role_key(name), actions=holders_actions(1), condition=RoleItem.PK.exists()
                )
        except TransactWriteError as exc:
            failed = failed_positions(exc)  # 0: the client, 1: its roles, 2: the role
            if 0 in failed:
                raise _client_not_found() from exc
            if 2 in failed:
                raise _role_not_found(name) from exc
            if 1 in failed:
                return self._held_or_refused(client_id, name, exc)
            raise
        return self.roles_of(client_id)

    def unassign(self, client_id: str, name: str) -> frozenset[str]:
        try:
            with transaction() as tx:
                tx.update(
                    _key(client_id),
                    actions=[ClientRolesItem.roles.delete({name}), *audit_stamp.stamp_actions()],
                    condition=ClientRolesItem.roles.contains(name),
                )
                tx.update(
                    role_key(name), actions=holders_actions(-1), condition=RoleItem.PK.exists()
                )
        except TransactWriteError as exc:
            if 0 in failed_positions(exc):
                return self.roles_of(client_id)  # not held: nothing to do
            raise
        return self.roles_of(client_id)

    def release_all(self, client_id: str) -> None:
        """A deleted client gives its roles back (so they can be deleted in turn)."""
        for name in sorted(self.roles_of(client_id)):
            self.unassign(client_id, name)

    def _held_or_refused(self, client_id: str, name: str, exc: Exception) -> frozenset[str]:
        held = self.roles_of(client_id)
        if name in held:
            return held
        raise too_many_roles() from exc


class RoleAwareClientStore(OAuthClientStore):
    """The OAuth client store, with the scopes of the client's custom roles added on read
    (the grant then issues them) and its roles given back when it is deleted."""

    def __init__(self, client_roles: ClientRoleStore | None = None) -> None:
        self._client_roles = client_roles or ClientRoleStore()

    def get(self, client_id: str) -> OAuthClient | None:
        client = super().get(client_id)
        if client is None:
            return None
        extra = self._client_roles.scopes_of(client_id)
        if not extra:
            return client
        return replace(client, scopes=client.scopes | extra)

    def delete(self, client_id: str) -> None:
        super().delete(client_id)
        self._client_roles.release_all(client_id)
