"""The signed-in user's own account: profile, preferences, password."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.auth import PasswordChange, ProfileUpdate, UserOut
from chalicelib.api.schemas.common import Message
from chalicelib.domain.accounts.accounts import ProfileChanges

bp = Blueprint(__name__)
TAGS = ("users",)


@endpoint(bp, "/api/v1/users/me", summary="My profile", tags=TAGS, response=UserOut)
def me(ctx: RequestContext) -> UserOut:
    return UserOut.from_domain(wiring.accounts().profile(ctx.user))


@endpoint(
    bp,
    "/api/v1/users/me",
    "PATCH",
    self_service=True,
    summary="Change my email and preferences",
    tags=TAGS,
    body=ProfileUpdate,
    response=UserOut,
)
def update_me(ctx: RequestContext[ProfileUpdate]) -> UserOut:
    body = ctx.body
    changes = ProfileChanges(
        email=body.email,
        clear_email="email" in body.model_fields_set and body.email is None,
        email_notifications=body.email_notifications,
        reminder_hours=body.reminder_hours,
        timezone=body.timezone,
    )
    return UserOut.from_domain(wiring.accounts().update_profile(ctx.user, changes))


@endpoint(
    bp,
    "/api/v1/users/me/password",
    "POST",
    self_service=True,
    summary="Change my password",
    tags=TAGS,
    body=PasswordChange,
    response=Message,
    description="Every access and refresh token issued before stops working.",
)
def change_password(ctx: RequestContext[PasswordChange]) -> Message:
    body = ctx.body
    wiring.accounts().change_password(ctx.user, body.current_password, body.new_password)
    return Message(message="password changed; sign in again")
