"""Accounts: registration, sessions, MFA, OAuth clients.

What is costly or derived from settings (the argon2 hasher, the JWT codec, the MFA secret
box) is built once; the services are cheap and rebuilt per call so they see the clock
currently wired.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.settings import get_settings
from chalicelib.wiring.core import built, clock, cursors, ids

if TYPE_CHECKING:
    from chalicelib.domain.accounts.email_verification import VerificationSigner
    from chalicelib.domain.accounts.secrets_box import SecretBox
    from chalicelib.domain.accounts.tokens import TokenCodec
    from chalicelib.integrations.passwords import Argon2Hasher
    from chalicelib.services.accounts.accounts import AccountService
    from chalicelib.services.accounts.attempts import AttemptGate
    from chalicelib.services.accounts.auth import (
        SessionConfig,
        SessionService,
        TokenAuthenticator,
    )
    from chalicelib.services.accounts.email_verification import EmailVerificationService
    from chalicelib.services.accounts.mfa import MfaService
    from chalicelib.services.accounts.oauth import OAuthService
    from chalicelib.services.accounts.oauth_flows import OAuthFlows  # issue 14 (oauth14)


@built
def hasher() -> Argon2Hasher:
    from chalicelib.integrations.passwords import Argon2Hasher

    settings = get_settings()
    return Argon2Hasher(
        time_cost=settings.password_hash_time_cost, memory_kib=settings.password_hash_memory_kib
    )


@built
def token_codec() -> TokenCodec:
    from chalicelib.domain.accounts.tokens import TokenCodec

    return TokenCodec(get_settings().secret_key)


@built
def mfa_box() -> SecretBox:
    from chalicelib.domain.accounts.secrets_box import SecretBox

    return SecretBox(get_settings().secret_key, purpose="mfa-totp-seed")


@built
def session_config() -> SessionConfig:
    from chalicelib.domain.accounts.lockout import AttemptLimits, LockoutPolicy
    from chalicelib.services.accounts.auth import SessionConfig

    settings = get_settings()
    return SessionConfig(
        access_lifetime=timedelta(minutes=settings.access_token_minutes),
        refresh_lifetime=timedelta(days=settings.refresh_token_days),
        session_lifetime=timedelta(days=settings.session_max_days),
        lockout=AttemptLimits(
            pair=LockoutPolicy(
                max_failures=settings.login_max_failures,
                window=timedelta(minutes=settings.login_window_minutes),
                base_delay=timedelta(seconds=settings.login_backoff_seconds),
                max_delay=timedelta(seconds=settings.login_backoff_max_seconds),
            )
        ),
    )


def attempt_gate() -> AttemptGate:
    """In front of every secret check (sign-in, password change, MFA, setup)."""
    from chalicelib.services.accounts.attempts import AttemptGate
    from chalicelib.store.accounts.login_attempts import LoginAttemptStore

    return AttemptGate(LoginAttemptStore(), clock(), session_config().lockout)


def accounts() -> AccountService:
    from chalicelib.services.accounts.accounts import AccountService
    from chalicelib.store.accounts.users import UserStore

    return AccountService(
        users=UserStore(),
        hasher=hasher(),
        ids=ids(),
        clock=clock(),
        cursors=cursors(),
        gate=attempt_gate(),
    )


@built
def verification_signer() -> VerificationSigner:
    from chalicelib.domain.accounts.email_verification import VerificationSigner

    return VerificationSigner(get_settings().secret_key)


def email_verification() -> EmailVerificationService:
    from chalicelib.services.accounts.email_verification import EmailVerificationService
    from chalicelib.store.accounts.email_verification import UserEmailStore

    return EmailVerificationService(
        UserEmailStore(), verification_signer(), clock(), get_settings().api_public_url
    )


def mfa() -> MfaService:
    from chalicelib.services.accounts.mfa import MfaService
    from chalicelib.store.accounts.mfa import UserMfaStore
    from chalicelib.store.accounts.tokens import TokenStore

    return MfaService(
        UserMfaStore(),
        mfa_box(),
        hasher(),
        clock(),
        get_settings().mfa_issuer,
        gate=attempt_gate(),
        sessions=TokenStore(),
    )


def sessions() -> SessionService:
    from chalicelib.services.accounts.auth import SessionService
    from chalicelib.store.accounts.tokens import TokenStore
    from chalicelib.store.accounts.users import UserStore

    return SessionService(
        users=UserStore(),
        tokens_store=TokenStore(),
        gate=attempt_gate(),
        hasher=hasher(),
        codec=token_codec(),
        mfa=mfa(),
        ids=ids(),
        clock=clock(),
        config=session_config(),
    )


def authenticator() -> TokenAuthenticator:
    from chalicelib.services.accounts.auth import TokenAuthenticator
    from chalicelib.store.accounts.tokens import TokenStore
    from chalicelib.wiring.roles import role_scopes  # custom roles (roles14)

    return TokenAuthenticator(token_codec(), TokenStore(), clock(), role_scopes())


def oauth() -> OAuthService:
    from chalicelib.services.accounts.oauth import OAuthService
    from chalicelib.wiring.roles import role_aware_clients  # client scopes via roles (roles14)

    return OAuthService(
        clients=role_aware_clients(),
        codec=token_codec(),
        ids=ids(),
        clock=clock(),
        cursors=cursors(),
        lifetime=session_config().access_lifetime,
    )


# OAuth2 authorization code + PKCE, refresh, revoke, introspect (issue 14, oauth14).
def oauth_flows() -> OAuthFlows:
    from chalicelib.services.accounts.oauth_flows import OAuthFlows
    from chalicelib.services.accounts.oauth_validator import FlowConfig, FlowDeps
    from chalicelib.store.accounts.oauth_clients import OAuthClientStore
    from chalicelib.store.accounts.oauth_grants import OAuthGrantStore
    from chalicelib.store.accounts.tokens import TokenStore
    from chalicelib.store.accounts.users import UserStore

    config = session_config()
    deps = FlowDeps(
        clients=OAuthClientStore(),
        grants=OAuthGrantStore(),
        sessions=TokenStore(),
        users=UserStore(),
        codec=token_codec(),
        ids=ids(),
        clock=clock(),
        config=FlowConfig(
            access_lifetime=config.access_lifetime,
            refresh_lifetime=config.refresh_lifetime,
            grant_lifetime=config.session_lifetime,
        ),
    )
    consent = get_settings().frontend_url.rstrip("/") + "/#/oauth/consent"
    return OAuthFlows(deps, consent_url=consent)
