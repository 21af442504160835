"""First run: create the first administrator, once."""

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
    description="Open until it succeeds once, then 409 setup_complete. An existing username "
    "is promoted if its password is given.",
)
def initialize(ctx: RequestContext[SetupInitialize]) -> SetupResult:
    body = ctx.body
    user = wiring.accounts().initialize(NewAccount(body.username, body.password, body.email))
    return SetupResult(message="setup complete", user=UserOut.from_domain(user))
