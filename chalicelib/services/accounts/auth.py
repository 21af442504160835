"""Sessions: password login (with lockout and MFA), refresh rotation, logout, and the
authenticator that turns a bearer token into a `Principal` on every request."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.accounts import tokens
from chalicelib.domain.accounts.accounts import User, scopes_for
from chalicelib.domain.accounts.lockout import AttemptLimits
from chalicelib.domain.accounts.oauth_clients import OAuthClient
from chalicelib.domain.accounts.passwords import PasswordHasher
from chalicelib.domain.accounts.usernames import normalize_username
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Forbidden, NotAuthenticated
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Channel, Principal, Role
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.services.accounts.attempts import AttemptGate
from chalicelib.services.accounts.mfa import MfaService
from chalicelib.store.accounts.tokens import RotationRefused, TokenStore
from chalicelib.store.accounts.users import UserStore

if TYPE_CHECKING:
    from chalicelib.services.accounts.roles import RoleScopes


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class SessionConfig:
    access_lifetime: timedelta
    refresh_lifetime: timedelta
    lockout: AttemptLimits
    # A sign-in's absolute end: refreshes slide the refresh expiry, never past this.
    session_lifetime: timedelta = timedelta(days=30)


def hash_secret(value: str) -> str:
    """Refresh tokens and client secrets are 256-bit random: SHA-256 is enough at rest."""
    return hashlib.sha256(value.encode()).hexdigest()


def _bad_credentials() -> NotAuthenticated:
    return NotAuthenticated("wrong username or password", code="invalid_credentials")


def _revoked() -> NotAuthenticated:
    return NotAuthenticated("this token has been revoked; sign in again", code="token_revoked")


class SessionService:
    def __init__(
        self,
        *,
        users: UserStore,
        tokens_store: TokenStore,
        gate: AttemptGate,
        hasher: PasswordHasher,
        codec: tokens.TokenCodec,
        mfa: MfaService,
        ids: IdFactory,
        clock: Clock,
        config: SessionConfig,
    ) -> None:
        self._users = users
        self._tokens = tokens_store
        self._gate = gate
        self._hasher = hasher
        self._codec = codec
        self._mfa = mfa
        self._ids = ids
        self._clock = clock
        self._config = config

    # -- login ---------------------------------------------------------------------------

    def login(self, username: str, password: str, otp: str | None, client_ip: str) -> TokenPair:
        name = normalize_username(username)
        attempt = self._gate.reserve("login", name, client_ip)  # before any check (finding 3)
        user = self._users.find_by_username(name)
        if user is None:
            self._hasher.verify_dummy(password)
            raise _bad_credentials()
        if not self._hasher.verify(user.password_hash, password):
            raise _bad_credentials()
        if user.mfa.enabled:
            if not otp:
                attempt.not_counted()  # a missing code is a question, not a guess
                raise NotAuthenticated(
                    "this account uses two-factor authentication: send the code in 'otp'",
                    code="mfa_required",
                )
            if not self._mfa.check_second_factor(user, otp):
                raise NotAuthenticated("the one-time code is not valid", code="invalid_otp")
        if user.disabled:
            raise Forbidden("this account is disabled", code="account_disabled")
        attempt.succeeded()
        return self._start_session(user)

    def _start_session(self, user: User) -> TokenPair:
        now = self._clock.now()
        refresh = secrets.token_urlsafe(32)
        family_id = self._ids.new_id()
        ends_at = epoch_seconds(now + self._config.session_lifetime)
        self._tokens.start_family(
            user_id=user.user_id,
            family_id=family_id,
            token_hash=hash_secret(refresh),
            token_version=user.token_version,
            now=now,
            expires_at=self._refresh_expiry(ends_at),
            session_ends_at=ends_at,
        )
        return self._pair(user, family_id, ends_at, refresh)

    def _refresh_expiry(self, session_ends_at: int) -> int:
        return min(
            epoch_seconds(self._clock.now() + self._config.refresh_lifetime), session_ends_at
        )

    def _pair(self, user: User, session_id: str, ends_at: int, refresh: str) -> TokenPair:
        claims = tokens.new_claims(
            subject=user.user_id,
            username=user.username,
            roles=[r.value for r in user.effective_roles],
            token_id=self._ids.new_id(),
            now=self._clock.now(),
            lifetime=self._config.access_lifetime,
            token_version=user.token_version,
            session_id=session_id,
            not_after=ends_at,
        )
        expires_in = claims.expires_at - claims.issued_at
        return TokenPair(self._codec.encode(claims), refresh, expires_in)

    # -- refresh -------------------------------------------------------------------------

    def refresh(self, refresh_token: str) -> TokenPair:
        now = self._clock.now()
        old_hash = hash_secret(refresh_token)
        stored = self._tokens.find_refresh(old_hash)
        if stored is None:
            raise NotAuthenticated("unknown refresh token", code="invalid_refresh_token")
        if stored.used:
            self._tokens.revoke_family(stored.user_id, stored.family_id)
            raise _reused()
        if stored.session_ends_at <= epoch_seconds(now):
            raise NotAuthenticated(
                "this sign-in reached its maximum age; sign in again", code="session_expired"
            )
        if stored.expires_at <= epoch_seconds(now):
            raise NotAuthenticated("the refresh token has expired", code="refresh_token_expired")
        user = self._users.get(stored.user_id)
        if user is None or user.disabled or user.token_version != stored.token_version:
            raise _revoked()
        new_refresh = secrets.token_urlsafe(32)
        try:
            self._tokens.rotate(
                old_hash=old_hash,
                new_hash=hash_secret(new_refresh),
                stored=stored,
                now=now,
                expires_at=self._refresh_expiry(stored.session_ends_at),
            )
        except RotationRefused as exc:
            if exc.reason == "reused":
                self._tokens.revoke_family(stored.user_id, stored.family_id)
                raise _reused() from exc
            raise _revoked() from exc
        return self._pair(user, stored.family_id, stored.session_ends_at, new_refresh)

    # -- logout --------------------------------------------------------------------------

    def logout(self, principal: Principal, refresh_token: str | None) -> None:
        now = self._clock.now()
        # Deny the presented token until it would have expired anyway (+ skew).
        until = now + self._config.access_lifetime + timedelta(seconds=tokens.LEEWAY_SECONDS)
        self._tokens.deny_access_token(principal.token_id, epoch_seconds(until))
        # This sign-in ends whatever else is said: its other access tokens die with it (`sid`).
        if principal.session_id:
            self._tokens.revoke_family(principal.subject_id, principal.session_id)
        stored = self._tokens.find_refresh(hash_secret(refresh_token)) if refresh_token else None
        if stored is not None and stored.user_id == principal.subject_id:
            self._tokens.revoke_family(stored.user_id, stored.family_id)
        else:
            self._tokens.revoke_all_families(principal.subject_id, now)


def delegated(principal: Principal, claims: tokens.Claims, client: OAuthClient | None) -> Principal:
    """A user's token issued to a client (authorization code flow): what the user may do now,
    what they granted, and what the client still holds, all three (issue 14)."""
    if client is None:  # the client was deleted: its grants end with it
        raise _revoked()
    scopes = principal.scopes & frozenset(claims.scopes) & client.scopes
    # An administrator's powers travel only with the `admin` scope granted.
    roles = principal.roles if "admin" in scopes else (principal.roles - {Role.ADMIN})
    return replace(
        principal,
        roles=roles or frozenset({Role.USER}),
        scopes=scopes,
        channel=Channel.API,
        via_client=client.client_id,
    )


def _reused() -> NotAuthenticated:
    return NotAuthenticated(
        "this refresh token was already used; every session of this login is revoked",
        code="refresh_token_reused",
    )


class TokenAuthenticator:
    """Verifies a bearer JWT; one consistent BatchGetItem per request (subject + deny-list)."""

    def __init__(
        self,
        codec: tokens.TokenCodec,
        tokens_store: TokenStore,
        clock: Clock,
        roles: RoleScopes | None = None,
    ) -> None:
        self._codec = codec
        self._tokens = tokens_store
        self._clock = clock
        # Custom roles (roles14): read per request, so an edited role bites at once.
        self._roles = roles

    def authenticate(self, bearer: str, *, client_ip: str, channel: Channel) -> Principal:
        now = self._clock.now()
        claims = self._codec.decode(bearer, now)
        found = self._tokens.load_subject_and_denial(
            claims.subject,
            is_client=claims.token_type == "client",
            jti=claims.token_id,
            session_id=claims.session_id,
            now=now,
            via_client=claims.client_id,
        )
        subject = found.subject
        if found.denied:
            raise _revoked()
        if isinstance(subject, User) and claims.token_type == "access":
            if not found.session_live:  # logged out, reuse detected, MFA changed, too old
                raise _revoked()
            principal = self._user_principal(subject, claims, client_ip, channel)
            return delegated(principal, claims, found.via_client) if claims.client_id else principal
        if isinstance(subject, OAuthClient) and claims.token_type == "client":
            return Principal(
                subject_id=subject.client_id,
                username=subject.name,
                roles=frozenset(),
                # Never more than the client holds now: shrinking a client's scopes bites at once.
                scopes=frozenset(claims.scopes) & self._client_scopes(subject),
                is_client=True,
                channel=Channel.API,  # an integration, whatever its X-Client-Channel says
                client_ip=client_ip,
                token_id=claims.token_id,
            )
        raise _revoked()

    def _client_scopes(self, client: OAuthClient) -> frozenset[str]:
        if self._roles is None:
            return frozenset(client.scopes)
        return frozenset(client.scopes) | self._roles.client_scopes(client.client_id)

    def _user_scopes(self, user: User, roles: frozenset[Role]) -> frozenset[str]:
        granted = scopes_for(roles)
        if user.custom_roles and self._roles is not None:
            granted |= self._roles.user_scopes(user.custom_roles)
        return granted

    def _user_principal(
        self, user: User, claims: tokens.Claims, client_ip: str, channel: Channel
    ) -> Principal:
        if user.disabled or user.token_version != claims.token_version:
            raise _revoked()
        # Roles come from the item just read, not the token: a removed role bites at once.
        roles: frozenset[Role] = user.effective_roles
        return Principal(
            subject_id=user.user_id,
            username=user.username,
            roles=roles,
            scopes=self._user_scopes(user, roles),
            channel=channel,
            client_ip=client_ip,
            token_id=claims.token_id,
            session_id=claims.session_id,
        )
