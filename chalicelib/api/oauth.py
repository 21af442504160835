"""OAuth2 clients (admins) and the token endpoint (client credentials; the code flow's grants go
to `oauth_flows`)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import FORM_TYPES, JSON_TYPES, Reply, RequestContext, endpoint
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.oauth import (
    ClientCreate,
    ClientCreated,
    ClientOut,
    ClientPage,
    TokenOut,
    TokenRequest,
    WhoAmI,
)
from chalicelib.domain.errors import InvalidInput

bp = Blueprint(__name__)
TAGS = ("oauth",)


@endpoint(
    bp,
    "/api/v1/oauth/clients",
    "POST",
    summary="Register a client (secret shown once)",
    tags=TAGS,
    auth="admin",
    body=ClientCreate,
    response=ClientCreated,
    status=201,
)
def create_client(ctx: RequestContext[ClientCreate]) -> ClientCreated:
    body = ctx.body
    issued = wiring.oauth().register(
        ctx.user,
        body.name,
        body.scopes,
        redirect_uris=body.redirect_uris,
        grant_types=body.grant_types,
        public=body.public,
    )
    out = ClientOut.from_domain(issued.client)
    return ClientCreated(**out.model_dump(), client_secret=issued.client_secret)


@endpoint(
    bp,
    "/api/v1/oauth/clients",
    summary="List clients",
    tags=TAGS,
    auth="admin",
    query=PageQuery,
    response=ClientPage,
)
def list_clients(ctx: RequestContext[None, PageQuery]) -> ClientPage:
    query = ctx.query
    clients, cursor = wiring.oauth().list_clients(ctx.user, limit=query.limit, cursor=query.cursor)
    return ClientPage(items=[ClientOut.from_domain(c) for c in clients], next_cursor=cursor)


@endpoint(
    bp,
    "/api/v1/oauth/clients/{client_id}",
    "DELETE",
    summary="Delete a client",
    tags=TAGS,
    auth="admin",
    status=204,
    description="Tokens already issued to it stop working at once.",
)
def delete_client(ctx: RequestContext, client_id: str) -> Reply:
    wiring.oauth().delete(ctx.user, client_id)
    return Reply(None, 204)


@endpoint(
    bp,
    "/api/v1/oauth/token",
    "POST",
    summary="Token endpoint: client_credentials, authorization_code (PKCE), refresh_token",
    tags=TAGS,
    auth="none",
    body=TokenRequest,
    response=TokenOut,
    content_types=FORM_TYPES + JSON_TYPES,
    description="Errors carry the RFC 6749 5.2 `error` as `error.code` (docs/auth.md).",
)
def token(ctx: RequestContext[TokenRequest]) -> Reply:
    body = ctx.body
    if body.grant_type != "client_credentials":  # the code flow's grants (issue 14)
        answer = wiring.oauth_flows().token(body.as_form(), ctx.header("authorization"))
        out = TokenOut.model_validate({**answer.body, "token_type": "bearer"})
    else:
        if not (body.client_id and body.client_secret):
            raise InvalidInput(
                "client_credentials needs client_id and client_secret", code="invalid_request"
            )
        issued = wiring.oauth().token(
            body.grant_type, body.client_id, body.client_secret, body.scope
        )
        out = TokenOut(
            access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope
        )
    # RFC 6749 5.1: token responses must not be cached.
    return Reply(out, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"})


@endpoint(
    bp,
    "/api/v1/oauth/whoami",
    summary="Who this token belongs to (clients welcome)",
    tags=TAGS,
    scope="resources:read",
    response=WhoAmI,
)
def whoami(ctx: RequestContext) -> WhoAmI:
    principal = ctx.user
    return WhoAmI(
        subject_id=principal.subject_id,
        name=principal.username,
        is_client=principal.is_client,
        scopes=sorted(principal.scopes),
    )
