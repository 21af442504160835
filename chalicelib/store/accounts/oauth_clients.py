"""OAuth2 clients. The secret is stored only as SHA-256 (public clients have none).

Keys: OAUTHCLIENT#<client_id> / CLIENT; GSI1: OAUTHCLIENTS / <client_id> for the admin list.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from chalicelib.domain.accounts.oauth_clients import CLIENT_CREDENTIALS, OAuthClient
from chalicelib.domain.errors import NotFound
from chalicelib.domain.timeutil import iso_z, parse_instant
from chalicelib.store import audit_stamp
from chalicelib.store.table import TableItem, bind

CLIENT_SK = "CLIENT"
CLIENTS_INDEX_PK = "OAUTHCLIENTS"


def client_pk(client_id: str) -> str:
    return f"OAUTHCLIENT#{client_id}"


class OAuthClientItem(TableItem, discriminator="oauth_client"):
    client_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scopes = UnicodeSetAttribute(null=True)
    secret_hash = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    # Authorization code flow (issue 14); clients registered before it have neither.
    redirect_uris = ListAttribute(of=UnicodeAttribute, null=True)
    grant_types = UnicodeSetAttribute(null=True)


def client_from_item(item: OAuthClientItem) -> OAuthClient:
    return OAuthClient(
        client_id=item.client_id,
        name=item.name,
        scopes=frozenset(item.scopes or ()),
        secret_hash=item.secret_hash or "",
        owner_id=item.owner_id,
        created_at=parse_instant(item.created_at),
        redirect_uris=tuple(str(uri) for uri in item.redirect_uris or ()),
        grant_types=frozenset(item.grant_types or {CLIENT_CREDENTIALS}),
    )


class OAuthClientStore:
    def create(self, client: OAuthClient) -> None:
        bind()
        item = OAuthClientItem(
            PK=client_pk(client.client_id),
            SK=CLIENT_SK,
            GSI1PK=CLIENTS_INDEX_PK,
            GSI1SK=client.client_id,
            client_id=client.client_id,
            name=client.name,
            scopes=set(client.scopes) or None,
            secret_hash=client.secret_hash or None,
            owner_id=client.owner_id,
            created_at=iso_z(client.created_at),
            redirect_uris=list(client.redirect_uris) or None,
            grant_types=set(client.grant_types),
        )
        audit_stamp.stamp(item).save(condition=OAuthClientItem.PK.does_not_exist())

    def get(self, client_id: str) -> OAuthClient | None:
        bind()
        try:
            item = OAuthClientItem.get(client_pk(client_id), CLIENT_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return client_from_item(item)

    def delete(self, client_id: str) -> None:
        bind()
        try:
            audit_stamp.stamp_then_delete(OAuthClientItem(PK=client_pk(client_id), SK=CLIENT_SK))
        except (DeleteError, UpdateError) as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("no such OAuth client", code="client_not_found") from exc
            raise

    def page(
        self, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[OAuthClient], dict[str, Any] | None]:
        bind()
        results = OAuthClientItem.gsi1.query(
            CLIENTS_INDEX_PK, limit=limit, last_evaluated_key=start_key
        )
        clients = [client_from_item(i) for i in results if isinstance(i, OAuthClientItem)]
        return clients, results.last_evaluated_key
