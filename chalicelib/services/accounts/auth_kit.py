"""Builds the auth services from settings; `chalicelib.wiring` exposes them.

The kit caches what is costly or settings-derived (argon2 hasher, JWT codec, AES key);
services themselves are rebuilt per call because they are cheap and must see the clock
currently wired (tests swap it).
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.accounts.lockout import LockoutPolicy
from chalicelib.domain.accounts.secrets_box import SecretBox
from chalicelib.domain.accounts.tokens import TokenCodec
from chalicelib.domain.clock import Clock
from chalicelib.domain.ids import IdFactory
from chalicelib.integrations.passwords import Argon2Hasher
from chalicelib.services.accounts.accounts import AccountService
from chalicelib.services.accounts.auth import SessionConfig, SessionService, TokenAuthenticator
from chalicelib.services.accounts.mfa import MfaService
from chalicelib.services.accounts.oauth import OAuthService
from chalicelib.settings import Settings
from chalicelib.store.accounts.login_attempts import LoginAttemptStore
from chalicelib.store.accounts.oauth_clients import OAuthClientStore
from chalicelib.store.accounts.tokens import TokenStore
from chalicelib.store.accounts.users import UserStore
from chalicelib.store.pagination import CursorCodec


class AuthKit:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hasher = Argon2Hasher(
            time_cost=settings.password_hash_time_cost,
            memory_kib=settings.password_hash_memory_kib,
        )
        self.codec = TokenCodec(settings.secret_key)
        self.box = SecretBox(settings.secret_key, purpose="mfa-totp-seed")
        self.session_config = SessionConfig(
            access_lifetime=timedelta(minutes=settings.access_token_minutes),
            refresh_lifetime=timedelta(days=settings.refresh_token_days),
            lockout=LockoutPolicy(
                max_failures=settings.login_max_failures,
                window=timedelta(minutes=settings.login_window_minutes),
                base_delay=timedelta(seconds=settings.login_backoff_seconds),
                max_delay=timedelta(seconds=settings.login_backoff_max_seconds),
            ),
        )

    def accounts(self, clock: Clock, ids: IdFactory, cursors: CursorCodec) -> AccountService:
        return AccountService(
            users=UserStore(), hasher=self.hasher, ids=ids, clock=clock, cursors=cursors
        )

    def mfa(self, clock: Clock) -> MfaService:
        return MfaService(UserStore(), self.box, self.hasher, clock, self.settings.mfa_issuer)

    def sessions(self, clock: Clock, ids: IdFactory) -> SessionService:
        return SessionService(
            users=UserStore(),
            tokens_store=TokenStore(),
            attempts=LoginAttemptStore(),
            hasher=self.hasher,
            codec=self.codec,
            mfa=self.mfa(clock),
            ids=ids,
            clock=clock,
            config=self.session_config,
        )

    def authenticator(self, clock: Clock) -> TokenAuthenticator:
        return TokenAuthenticator(self.codec, TokenStore(), clock)

    def oauth(self, clock: Clock, ids: IdFactory, cursors: CursorCodec) -> OAuthService:
        return OAuthService(
            clients=OAuthClientStore(),
            codec=self.codec,
            ids=ids,
            clock=clock,
            cursors=cursors,
            lifetime=self.session_config.access_lifetime,
        )
