"""Registration, password login, refresh-token rotation and logout."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import FORM_TYPES, JSON_TYPES, Reply, RequestContext, endpoint
from chalicelib.api.schemas.auth import (
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    RegisterRequest,
    TokenResponse,
    UserOut,
)
from chalicelib.api.schemas.common import Message
from chalicelib.services.accounts.accounts import NewAccount
from chalicelib.services.accounts.auth import TokenPair

bp = Blueprint(__name__)
TAGS = ("auth",)


# RFC 6749 5.1: responses carrying tokens must not be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _tokens(pair: TokenPair) -> Reply:
    body = TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )
    return Reply(body, 200, NO_STORE)


@endpoint(
    bp,
    "/api/v1/register",
    "POST",
    summary="Create an account (role: user)",
    tags=TAGS,
    auth="none",
    body=RegisterRequest,
    response=UserOut,
    status=201,
)
def register(ctx: RequestContext[RegisterRequest]) -> UserOut:
    body = ctx.body
    user = wiring.accounts().register(NewAccount(body.username, body.password, body.email))
    return UserOut.from_domain(user)


@endpoint(
    bp,
    "/api/v1/token",
    "POST",
    summary="Sign in: username + password (+ otp when MFA is on)",
    tags=TAGS,
    auth="none",
    body=LoginRequest,
    response=TokenResponse,
    content_types=JSON_TYPES + FORM_TYPES,
    description="Failures are counted per username and client address; after too many, "
    "429 too_many_attempts with Retry-After.",
)
def login(ctx: RequestContext[LoginRequest]) -> Reply:
    body = ctx.body
    pair = wiring.sessions().login(body.username, body.password, body.otp, ctx.client_ip)
    return _tokens(pair)


@endpoint(
    bp,
    "/api/v1/token/refresh",
    "POST",
    summary="Rotate a refresh token (JSON body only)",
    tags=TAGS,
    auth="none",
    body=RefreshRequest,
    response=TokenResponse,
    description="Each refresh token works once; presenting a used one revokes its session.",
)
def refresh(ctx: RequestContext[RefreshRequest]) -> Reply:
    body = ctx.body
    return _tokens(wiring.sessions().refresh(body.refresh_token))


@endpoint(
    bp,
    "/api/v1/logout",
    "POST",
    self_service=True,
    summary="Revoke this access token and the refresh session",
    tags=TAGS,
    auth="user",
    body=LogoutRequest,
    response=Message,
    description="Without a refresh_token in the body, every session of the user is revoked.",
)
def logout(ctx: RequestContext[LogoutRequest]) -> Message:
    body = ctx.body
    wiring.sessions().logout(ctx.user, body.refresh_token)
    return Message(message="signed out")
