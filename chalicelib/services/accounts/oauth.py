"""OAuth2 clients: admins register them; the client-credentials grant trades a secret for a
token. The authorization code flow, refresh, revocation and introspection: `oauth_flows`."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.domain.accounts import tokens
from chalicelib.domain.accounts.oauth_clients import (
    CLIENT_CREDENTIALS,
    OAuthClient,
    check_grant_types,
    check_redirect_uris,
)
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import DomainError, InvalidInput, NotAuthenticated
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import ALL_SCOPES, Principal, require_admin
from chalicelib.services.accounts.auth import hash_secret
from chalicelib.store.accounts.oauth_clients import OAuthClientStore
from chalicelib.store.pagination import CursorCodec

SUPPORTED_GRANTS = ("client_credentials",)


@dataclass(frozen=True)
class IssuedClient:
    client: OAuthClient
    client_secret: str | None  # shown once, never stored; None for a public client


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str


def oauth_error(status_code: str, description: str, *, status: type[DomainError]) -> DomainError:
    """RFC 6749 section 5.2 names inside our envelope: details = {error, error_description}."""
    return status(
        description,
        code=status_code,
        details={"error": status_code, "error_description": description},
    )


class OAuthService:
    def __init__(
        self,
        *,
        clients: OAuthClientStore,
        codec: tokens.TokenCodec,
        ids: IdFactory,
        clock: Clock,
        cursors: CursorCodec,
        lifetime: timedelta,
    ) -> None:
        self._clients = clients
        self._codec = codec
        self._ids = ids
        self._clock = clock
        self._cursors = cursors
        self._lifetime = lifetime

    def register(
        self,
        admin: Principal,
        name: str,
        scopes: list[str],
        *,
        redirect_uris: list[str] | None = None,
        grant_types: list[str] | None = None,
        public: bool = False,
    ) -> IssuedClient:
        require_admin(admin)
        unknown = sorted(set(scopes) - ALL_SCOPES)
        if unknown:
            raise InvalidInput(
                "unknown scopes",
                code="invalid_scope",
                details={"unknown": unknown, "allowed": sorted(ALL_SCOPES)},
            )
        if not scopes:
            raise InvalidInput("a client needs at least one scope", code="invalid_scope")
        grants = check_grant_types(grant_types or [CLIENT_CREDENTIALS], public=public)
        uris = check_redirect_uris(redirect_uris or [], grants)
        secret = None if public else secrets.token_urlsafe(32)
        client = OAuthClient(
            client_id="rrc_" + self._ids.new_id().lower(),
            name=name,
            scopes=frozenset(scopes),
            secret_hash=hash_secret(secret) if secret else "",
            owner_id=admin.subject_id,
            created_at=self._clock.now(),
            redirect_uris=uris,
            grant_types=grants,
        )
        self._clients.create(client)
        return IssuedClient(client, secret)

    def list_clients(
        self, admin: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[OAuthClient], str | None]:
        require_admin(admin)
        start: dict[str, Any] | None = self._cursors.decode(cursor, scope="oauth-clients")
        clients, last = self._clients.page(limit=limit, start_key=start)
        return clients, self._cursors.encode(last, scope="oauth-clients")

    def delete(self, admin: Principal, client_id: str) -> None:
        require_admin(admin)
        self._clients.delete(client_id)

    def token(
        self, grant_type: str, client_id: str, client_secret: str, scope: str | None
    ) -> ClientToken:
        if grant_type not in SUPPORTED_GRANTS:
            raise oauth_error(
                "unsupported_grant_type",
                f"grant_type must be one of: {', '.join(SUPPORTED_GRANTS)}",
                status=DomainError,  # 400
            )
        client = self._clients.get(client_id)
        presented = hash_secret(client_secret)
        # Compare against something even for unknown clients: same work either way.
        expected = (
            client.secret_hash
            if client and client.secret_hash
            else hash_secret(secrets.token_urlsafe(16))
        )
        if client is None or not hmac.compare_digest(presented, expected):
            raise oauth_error(
                "invalid_client", "client authentication failed", status=NotAuthenticated
            )
        if not client.allows(CLIENT_CREDENTIALS):
            raise oauth_error(
                "unauthorized_client",
                "this client is not registered for the client_credentials grant",
                status=DomainError,
            )
        granted = _granted_scopes(client, scope)
        claims = tokens.new_claims(
            subject=client.client_id,
            username=client.name,
            roles=(),
            token_id=self._ids.new_id(),
            now=self._clock.now(),
            lifetime=self._lifetime,
            token_type="client",
            scopes=granted,
        )
        return ClientToken(
            self._codec.encode(claims), int(self._lifetime.total_seconds()), " ".join(granted)
        )


def _granted_scopes(client: OAuthClient, requested: str | None) -> list[str]:
    if not requested or not requested.strip():
        return sorted(client.scopes)
    wanted = set(requested.split())
    if not wanted <= client.scopes:
        raise oauth_error(
            "invalid_scope",
            "the requested scope exceeds the scopes granted to this client",
            status=DomainError,
        )
    return sorted(wanted)
