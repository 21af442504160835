"""First run: create the first administrator, once, with the one-time setup token."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.auth import SetupInitialize, SetupResult, SetupStatus, UserOut
from chalicelib.services.accounts.accounts import NewAccount

bp = Blueprint(__name__)
TAGS = ("setup",)


@endpoint(
    bp,
    "/api/v1/setup/status",
    summary="Whether the first admin exists",
    tags=TAGS,
    auth="none",
    response=SetupStatus,
)
def status(ctx: RequestContext) -> SetupStatus:
    return SetupStatus(setup_complete=wiring.accounts().setup_status())


@endpoint(
    bp,
    "/api/v1/setup/initialize",
    "POST",
    summary="Create (or promote) the first admin",
    tags=TAGS,
    auth="none",
    body=SetupInitialize,
    response=SetupResult,
    status=201,
    description="Needs the one-time setup token (403 invalid_setup_token otherwise), which it "
    "consumes. Open until it succeeds once, then 409 setup_complete. An existing username is "
    "promoted if its password is given.",
)
def initialize(ctx: RequestContext[SetupInitialize]) -> SetupResult:
    body = ctx.body
    account = NewAccount(body.username, body.password, body.email)
    user = wiring.accounts().initialize(account, body.setup_token, ctx.client_ip)
    return SetupResult(message="setup complete", user=UserOut.from_domain(user))
