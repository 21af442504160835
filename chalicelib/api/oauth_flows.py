"""OAuth2 for third-party apps (issue 14): authorize + consent (authorization code with PKCE),
revocation (RFC 7009) and introspection (RFC 7662). The token endpoint is in `api/oauth.py`."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import FORM_TYPES, JSON_TYPES, Reply, RequestContext, endpoint
from chalicelib.api.schemas.oauth_flows import (
    AuthorizeQuery,
    ConsentAnswer,
    ConsentDecision,
    ConsentOut,
    IntrospectionOut,
    TokenProbe,
)

bp = Blueprint(__name__)
TAGS = ("oauth",)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@endpoint(
    bp,
    "/api/v1/oauth/authorize",
    summary="Authorization request (RFC 6749 4.1.1, PKCE S256): on to the consent screen",
    tags=TAGS,
    auth="none",
    query=AuthorizeQuery,
    status=302,
    description="A bad client_id or redirect_uri is answered with 400 (never redirected); other "
    "errors go back to the client's redirect URI as `error=`; otherwise the browser is sent "
    "to the web app's consent screen.",
)
def authorize(ctx: RequestContext[None, AuthorizeQuery]) -> Reply:
    location = wiring.oauth_flows().authorize(ctx.query.as_query())
    return Reply(None, 302, {"Location": location, **NO_STORE})


@endpoint(
    bp,
    "/api/v1/oauth/consent",
    summary="What a client asks for (the consent screen's question)",
    tags=TAGS,
    query=AuthorizeQuery,
    response=ConsentOut,
)
def consent_request(ctx: RequestContext[None, AuthorizeQuery]) -> ConsentOut:
    asked = wiring.oauth_flows().consent_request(ctx.user, ctx.query.as_query())
    return ConsentOut(**asked.__dict__)


@endpoint(
    bp,
    "/api/v1/oauth/consent",
    "POST",
    summary="Approve or deny a client (issues a one-time code on approval)",
    tags=TAGS,
    body=ConsentDecision,
    response=ConsentAnswer,
    self_service=True,  # a guest may let an app read what the guest can read
)
def consent_decision(ctx: RequestContext[ConsentDecision]) -> ConsentAnswer:
    body = ctx.body
    target = wiring.oauth_flows().decide(ctx.user, body.request.as_query(), approve=body.approve)
    return ConsentAnswer(redirect_to=target)


@endpoint(
    bp,
    "/api/v1/oauth/revoke",
    "POST",
    summary="Revoke a token (RFC 7009): 200 even for unknown tokens",
    tags=TAGS,
    auth="none",
    body=TokenProbe,
    content_types=FORM_TYPES + JSON_TYPES,
    description="A refresh token ends its whole grant (its access tokens too); an access token "
    "is deny-listed until it expires. Client authentication: HTTP Basic or client_id/secret.",
)
def revoke(ctx: RequestContext[TokenProbe]) -> Reply:
    wiring.oauth_flows().revoke(ctx.body.as_form(), ctx.header("authorization"))
    return Reply({}, 200, NO_STORE)


@endpoint(
    bp,
    "/api/v1/oauth/introspect",
    "POST",
    summary="Is this token active? (RFC 7662; confidential clients only)",
    tags=TAGS,
    auth="none",
    body=TokenProbe,
    response=IntrospectionOut,
    content_types=FORM_TYPES + JSON_TYPES,
)
def introspect(ctx: RequestContext[TokenProbe]) -> Reply:
    facts = wiring.oauth_flows().introspect(ctx.body.as_form(), ctx.header("authorization"))
    return Reply(facts, 200, NO_STORE)
