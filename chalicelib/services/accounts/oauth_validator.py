"""oauthlib's RequestValidator over our stores: the grant logic (RFC 6749 authorization code
and refresh, RFC 7636 PKCE, RFC 7009 revocation, RFC 7662 introspection) is oauthlib's; this
module only answers its questions (who is this client, is this code valid, save this token).

Imported only on the OAuth routes' call path (oauthlib is not loaded by `import app`), and
module by module under `oauthlib.oauth2.rfc6749` (+ `oauthlib.common`): the Lambda bundle
ships oauthlib's re-exporting package `__init__`s empty and without what only they import
(infra/cdk/bundle.py, STAGE_EMPTIED).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (
    AuthorizationCodeGrant,
    code_challenge_method_s256,
)
from oauthlib.oauth2.rfc6749.request_validator import RequestValidator

from chalicelib.domain.accounts import tokens
from chalicelib.domain.accounts.oauth_clients import AUTHORIZATION_CODE, OAuthClient
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Forbidden, NotAuthenticated
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Channel, Principal
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.services.accounts.auth import TokenAuthenticator, hash_secret
from chalicelib.store.accounts.oauth_clients import OAuthClientStore
from chalicelib.store.accounts.oauth_grants import (
    AuthorizationCode,
    ClientRefresh,
    CodeRefused,
    OAuthGrantStore,
)
from chalicelib.store.accounts.tokens import RotationRefused, TokenStore
from chalicelib.store.accounts.users import UserStore


@dataclass(frozen=True)
class FlowConfig:
    access_lifetime: timedelta
    refresh_lifetime: timedelta
    grant_lifetime: timedelta  # a grant's absolute end: refreshes never go past it
    code_lifetime: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class FlowDeps:
    clients: OAuthClientStore
    grants: OAuthGrantStore
    sessions: TokenStore
    users: UserStore
    codec: tokens.TokenCodec
    ids: IdFactory
    clock: Clock
    config: FlowConfig


class S256CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]  # oauthlib is untyped
    """RFC 7636 with `plain` refused: a missing method means plain, so it is refused too."""

    _code_challenge_methods = {"S256": code_challenge_method_s256}


class Validator(RequestValidator):  # type: ignore[misc]  # oauthlib is untyped
    """`strict`: every client must authenticate (introspection), public ones cannot."""

    def __init__(self, deps: FlowDeps, *, strict: bool = False) -> None:
        super().__init__()
        self._d = deps
        self._strict = strict
        self._cache: dict[str, OAuthClient | None] = {}

    # -- clients --------------------------------------------------------------------------

    def _client(self, client_id: str | None) -> OAuthClient | None:
        if not client_id or len(client_id) > 128:
            return None
        if client_id not in self._cache:
            self._cache[client_id] = self._d.clients.get(client_id)
        return self._cache[client_id]

    def client_authentication_required(self, request: Request, *args: Any, **kw: Any) -> bool:
        if self._strict or _basic_credentials(request) is not None:
            return True
        client = self._client(request.client_id)
        return client is None or not client.is_public

    def authenticate_client(self, request: Request, *args: Any, **kw: Any) -> bool:
        client_id, secret = _basic_credentials(request) or (
            request.client_id,
            request.client_secret,
        )
        client = self._client(client_id)
        # Hash something even for unknown clients: the same work either way.
        presented = hash_secret(secret or "")
        expected = client.secret_hash if client and client.secret_hash else hash_secret("-")
        if client is None or client.is_public or not hmac.compare_digest(presented, expected):
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def authenticate_client_id(self, client_id: str, request: Request, *a: Any, **k: Any) -> bool:
        client = self._client(client_id)
        if client is None or not client.is_public:
            return False
        request.client = client
        return True

    def validate_client_id(self, client_id: str, request: Request, *a: Any, **k: Any) -> bool:
        client = self._client(client_id)
        return client is not None and client.allows(AUTHORIZATION_CODE)

    def validate_grant_type(
        self,
        client_id: str,
        grant_type: str,
        client: OAuthClient,
        request: Request,
        *a: Any,
        **k: Any,
    ) -> bool:
        return client.allows(grant_type)

    def validate_response_type(
        self,
        client_id: str,
        response_type: str,
        client: OAuthClient,
        request: Request,
        *a: Any,
        **k: Any,
    ) -> bool:
        return response_type == "code"

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *a: Any, **k: Any
    ) -> bool:
        client = self._client(client_id)
        return client is not None and redirect_uri in client.redirect_uris  # exact match only

    def get_default_redirect_uri(self, client_id: str, request: Request, *a: Any, **k: Any) -> None:
        return None  # redirect_uri is required: no guessing which one the client meant

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Request, *a: Any, **k: Any
    ) -> bool:
        registered = self._client(client_id)
        return registered is not None and bool(scopes) and set(scopes) <= registered.scopes

    def get_default_scopes(self, client_id: str, request: Request, *a: Any, **k: Any) -> list[str]:
        client = self._client(client_id)
        return sorted(client.scopes) if client else []

    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        return True

    # -- authorization codes --------------------------------------------------------------

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Request, *a: Any, **k: Any
    ) -> None:
        now = self._d.clock.now()
        self._d.grants.save_code(
            AuthorizationCode(
                code_hash=hash_secret(code["code"]),
                client_id=client_id,
                user_id=request.user,
                redirect_uri=request.redirect_uri,
                scopes=frozenset(request.scopes),
                code_challenge=request.code_challenge,
                family_id=self._d.ids.new_id(),
                expires_at=epoch_seconds(now + self._d.config.code_lifetime),
            ),
            now,
        )

    def validate_code(
        self, client_id: str, code: str, client: OAuthClient, request: Request, *a: Any, **k: Any
    ) -> bool:
        try:
            stored = self._d.grants.consume_code(hash_secret(code), client_id, self._d.clock.now())
        except CodeRefused as refused:
            if refused.code is not None:  # replayed: what the first exchange started ends too
                self._d.sessions.revoke_family(refused.code.user_id, refused.code.family_id)
            return False
        request.rr_code = stored
        request.user = stored.user_id
        request.scopes = sorted(stored.scopes)
        request.family_id = stored.family_id
        request.grant_ends_at = epoch_seconds(self._d.clock.now() + self._d.config.grant_lifetime)
        return True

    def get_code_challenge(self, code: str, request: Request) -> str | None:
        stored: AuthorizationCode | None = getattr(request, "rr_code", None)
        return stored.code_challenge if stored else None

    def get_code_challenge_method(self, code: str, request: Request) -> str:
        return "S256"  # the only method the authorize step accepts

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: OAuthClient,
        request: Request,
        *a: Any,
        **k: Any,
    ) -> bool:
        stored: AuthorizationCode = request.rr_code
        return hmac.compare_digest(stored.redirect_uri, redirect_uri or "")

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *a: Any, **k: Any
    ) -> None:
        """Nothing left to do: `validate_code` consumed the code with a conditional write."""

    # -- refresh tokens -------------------------------------------------------------------

    def validate_refresh_token(
        self, refresh_token: str, client: OAuthClient, request: Request, *a: Any, **k: Any
    ) -> bool:
        stored = self._d.grants.find_refresh(hash_secret(refresh_token))
        if stored is None or stored.client_id != client.client_id:
            return False
        if stored.used:  # reuse: someone holds a rotated token; end the whole grant
            self._d.sessions.revoke_family(stored.user_id, stored.family_id)
            return False
        now = epoch_seconds(self._d.clock.now())
        if stored.expires_at <= now or stored.session_ends_at <= now:
            return False
        request.rr_refresh = stored
        request.user = stored.user_id
        request.family_id = stored.family_id
        request.grant_ends_at = stored.session_ends_at
        return True

    def get_original_scopes(
        self, refresh_token: str, request: Request, *a: Any, **k: Any
    ) -> list[str]:
        return sorted(request.rr_refresh.scopes)

    def rotate_refresh_token(self, request: Request) -> bool:
        return True

    def save_bearer_token(self, token: dict[str, Any], request: Request, *a: Any, **k: Any) -> None:
        now = self._d.clock.now()
        ends = int(request.grant_ends_at)
        expires = min(epoch_seconds(now + self._d.config.refresh_lifetime), ends)
        new = ClientRefresh(
            token_hash=hash_secret(token["refresh_token"]),
            client_id=request.client.client_id,
            user_id=request.user,
            scopes=frozenset(request.scopes),
            family_id=request.family_id,
            expires_at=expires,
            session_ends_at=ends,
            used=False,
        )
        old: ClientRefresh | None = getattr(request, "rr_refresh", None)
        if old is None:
            self._d.grants.start_grant(new, now)
            return
        try:
            self._d.grants.rotate(old, new, now)
        except RotationRefused as exc:
            if exc.reason == "reused":  # lost a race with the same token: reuse all the same
                self._d.sessions.revoke_family(old.user_id, old.family_id)
            raise errors.InvalidGrantError(
                description="the refresh token is no longer valid"
            ) from exc

    # -- token issue ----------------------------------------------------------------------

    def access_token(self, request: Request) -> str:
        """oauthlib's token generator: our JWT, a user's access token bound to the client."""
        user = self._d.users.get(request.user)
        if user is None or user.disabled:
            raise errors.InvalidGrantError(description="the user of this grant cannot sign in")
        claims = tokens.new_claims(
            subject=user.user_id,
            username=user.username,
            roles=[r.value for r in user.effective_roles],
            token_id=self._d.ids.new_id(),
            now=self._d.clock.now(),
            lifetime=self._d.config.access_lifetime,
            token_version=user.token_version,
            scopes=request.scopes,
            session_id=request.family_id,
            not_after=int(request.grant_ends_at),
            client_id=request.client.client_id,
        )
        return self._d.codec.encode(claims)

    @staticmethod
    def refresh_token(request: Request) -> str:
        return secrets.token_urlsafe(32)

    # -- revocation and introspection ------------------------------------------------------

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Request, *a: Any, **k: Any
    ) -> None:
        client_id = request.client.client_id
        stored = self._d.grants.find_refresh(hash_secret(token))
        if stored is not None:
            if stored.client_id == client_id:  # the grant ends: its access tokens too (sid)
                self._d.sessions.revoke_family(stored.user_id, stored.family_id)
            return
        claims = self._claims(token)
        if claims is not None and _issued_to(claims, client_id):
            until = claims.expires_at + tokens.LEEWAY_SECONDS
            self._d.sessions.deny_access_token(claims.token_id, until)

    def introspect_token(
        self, token: str, token_type_hint: str | None, request: Request, *a: Any, **k: Any
    ) -> dict[str, Any] | None:
        client_id = request.client.client_id
        stored = self._d.grants.find_refresh(hash_secret(token))
        if stored is not None:
            return self._refresh_facts(stored, client_id)
        claims = self._claims(token)
        principal = self._live(token) if claims and _issued_to(claims, client_id) else None
        if claims is None or principal is None:
            return None
        return {
            "scope": " ".join(sorted(principal.scopes)),  # what it may do now
            "client_id": client_id,
            "sub": claims.subject,
            "username": claims.username,
            "exp": claims.expires_at,
            "iat": claims.issued_at,
            "jti": claims.token_id,
            "token_type": "Bearer",
        }

    def _refresh_facts(self, stored: ClientRefresh, client_id: str) -> dict[str, Any] | None:
        now = self._d.clock.now()
        live = (
            stored.client_id == client_id
            and not stored.used
            and stored.expires_at > epoch_seconds(now)
            and self._d.sessions.family_active(stored.user_id, stored.family_id, now)
        )
        if not live:
            return None
        return {
            "scope": " ".join(sorted(stored.scopes)),
            "client_id": client_id,
            "sub": stored.user_id,
            "exp": stored.expires_at,
            "token_type": "refresh_token",
        }

    def _claims(self, token: str) -> tokens.Claims | None:
        try:
            return self._d.codec.decode(token, self._d.clock.now())
        except NotAuthenticated:
            return None

    def _live(self, token: str) -> Principal | None:
        """What the API itself would make of the token now (the authenticator's checks: deny
        list, grant, user, client), so introspection never disagrees with the API."""
        authenticator = TokenAuthenticator(self._d.codec, self._d.sessions, self._d.clock)
        try:
            return authenticator.authenticate(token, client_ip="", channel=Channel.API)
        except (NotAuthenticated, Forbidden):
            return None


def _issued_to(claims: tokens.Claims, client_id: str) -> bool:
    """A client may revoke or inspect only tokens it was issued: its own client-credentials
    tokens, and users' tokens issued to it through the code flow."""
    if claims.token_type == "client":
        return claims.subject == client_id
    return claims.client_id == client_id


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """RFC 6749 2.3.1: `Authorization: Basic base64(urlencode(id):urlencode(secret))`."""
    header = str((request.headers or {}).get("Authorization") or "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None
