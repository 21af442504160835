"""An OAuth2 client: who it is, what it may do, whose it is, and how it may get tokens.

Confidential clients hold a secret (client credentials, and the code flow for server-side
apps); public clients (browser or native apps) hold none and may only use the authorization
code flow, where PKCE stands in for the secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from chalicelib.domain.errors import InvalidInput

CLIENT_CREDENTIALS = "client_credentials"
AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"
GRANT_TYPES = frozenset({CLIENT_CREDENTIALS, AUTHORIZATION_CODE, REFRESH_TOKEN})
# Loopback redirects may be plain http (RFC 8252 section 7.3: native apps listen locally).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    name: str
    scopes: frozenset[str]
    secret_hash: str  # "" for a public client
    owner_id: str
    created_at: datetime
    redirect_uris: tuple[str, ...] = ()
    grant_types: frozenset[str] = field(default_factory=lambda: frozenset({CLIENT_CREDENTIALS}))

    @property
    def is_public(self) -> bool:
        return not self.secret_hash

    def allows(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


def check_grant_types(grant_types: list[str], *, public: bool) -> frozenset[str]:
    unknown = sorted(set(grant_types) - GRANT_TYPES)
    if unknown:
        raise InvalidInput(
            "unknown grant types",
            code="invalid_grant_type",
            details={"unknown": unknown, "allowed": sorted(GRANT_TYPES)},
        )
    chosen = frozenset(grant_types)
    if not chosen:
        raise InvalidInput("a client needs at least one grant type", code="invalid_grant_type")
    if REFRESH_TOKEN in chosen and AUTHORIZATION_CODE not in chosen:
        raise InvalidInput("refresh_token comes with authorization_code", code="invalid_grant_type")
    if public and CLIENT_CREDENTIALS in chosen:
        # A public client has no secret to prove who it is.
        raise InvalidInput(
            "a public client cannot use client_credentials", code="invalid_grant_type"
        )
    return chosen


def check_redirect_uris(uris: list[str], grant_types: frozenset[str]) -> tuple[str, ...]:
    """Absolute https URIs (or http on a loopback host), no fragment, matched exactly later."""
    for uri in uris:
        parts = urlsplit(uri)
        secure = parts.scheme == "https" or (
            parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS
        )
        if not secure or not parts.netloc or parts.fragment or "#" in uri:
            raise InvalidInput(
                "a redirect URI must be https (or http on a loopback address), without fragment",
                code="invalid_redirect_uri",
                details={"redirect_uri": uri},
            )
    if AUTHORIZATION_CODE in grant_types and not uris:
        raise InvalidInput(
            "the authorization code flow needs at least one redirect URI",
            code="invalid_redirect_uri",
        )
    return tuple(dict.fromkeys(uris))
