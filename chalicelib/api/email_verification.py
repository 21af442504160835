"""Email verification: ask for a (new) link, the page the link opens, and the confirmation.

`GET /auth/verify-email?token=` shows a page with a button and changes nothing; the button
(or any client) POSTs the token to `/auth/verify-email`, JSON or form. A form post from the
page is answered with a page, a JSON post with JSON.
"""

from __future__ import annotations

from chalice.app import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api import verify_page
from chalicelib.api.errors import status_for
from chalicelib.api.routing import FORM_TYPES, JSON_TYPES, Reply, RequestContext, endpoint
from chalicelib.api.schemas.common import Strict
from chalicelib.domain.errors import DomainError
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
TAGS = ("auth",)
CONFIRM = "/api/v1/auth/verify-email"


class VerificationToken(Strict):
    token: str = Field(min_length=1, max_length=512, description="The token from the link.")


class EmailVerificationOut(BaseModel):
    email: str | None
    email_verified: bool


@endpoint(
    bp,
    "/api/v1/users/me/email/verification",
    "POST",
    self_service=True,
    summary="Send me a new link to verify my email address",
    tags=TAGS,
    response=EmailVerificationOut,
    status=202,
    description="Older links stop working. At most one mail a minute (429 otherwise).",
)
def resend(ctx: RequestContext) -> Reply:
    user = wiring.email_verification().resend(ctx.user)
    return Reply(EmailVerificationOut(email=user.email, email_verified=user.email_verified), 202)


@endpoint(
    bp,
    CONFIRM,
    auth="none",
    summary="The page a verification link opens (a button; changes nothing by itself)",
    tags=TAGS,
    query=VerificationToken,
)
def confirm_page(ctx: RequestContext[None, VerificationToken]) -> Reply:
    page = verify_page.confirm_form(ctx.query.token, CONFIRM)
    return Reply(page, headers=verify_page.HEADERS)


@endpoint(
    bp,
    CONFIRM,
    "POST",
    auth="none",
    summary="Confirm an email address with the token of its link (single use)",
    tags=TAGS,
    body=VerificationToken,
    response=EmailVerificationOut,
    content_types=JSON_TYPES + FORM_TYPES,
    description="422 invalid_verification_token (used, replaced or forged), 410 expired.",
)
def confirm(ctx: RequestContext[VerificationToken]) -> Reply | EmailVerificationOut:
    content_type = ctx.request.headers.get("content-type", "")
    if not content_type.startswith(FORM_TYPES[0]):
        user = wiring.email_verification().confirm(ctx.body.token)
        return EmailVerificationOut(email=user.email, email_verified=user.email_verified)
    app_url = get_settings().frontend_url
    try:
        user = wiring.email_verification().confirm(ctx.body.token)
    except DomainError as exc:
        page = verify_page.outcome("This link did not work", exc.message, app_url)
        return Reply(page, status_for(exc), verify_page.HEADERS)
    done = f"{user.email} is verified: mail about your reservations goes there from now on."
    return Reply(verify_page.outcome("Address verified", done, app_url), 200, verify_page.HEADERS)
