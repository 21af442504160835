"""Request/response models of the auth family (accounts, tokens, setup, roles)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from chalicelib.api.schemas.common import Page, PageQuery, Strict, UtcDatetime
from chalicelib.domain.accounts.accounts import User
from chalicelib.domain.principal import Role

# Generous transport limits; the domain rules give the precise messages.
Username = Field(min_length=1, max_length=64)
Password = Field(min_length=1, max_length=1024, repr=False)


class RegisterRequest(Strict):
    username: str = Username
    password: str = Password
    email: str | None = Field(default=None, max_length=254)


class LoginRequest(Strict):
    """JSON or form-urlencoded (OAuth2 password-grant fields are tolerated)."""

    username: str = Username
    password: str = Password
    otp: str | None = Field(default=None, max_length=32)
    grant_type: Literal["password"] | None = None
    scope: str | None = Field(default=None, max_length=512)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=512)


class LogoutRequest(Strict):
    refresh_token: str | None = Field(default=None, max_length=512)


class UserOut(BaseModel):
    id: str
    username: str
    email: str | None
    roles: list[Role]
    custom_roles: list[str]  # roles14: custom roles, whose scopes add to the built-in ones
    is_admin: bool
    mfa_enabled: bool
    email_verified: bool
    email_notifications: bool
    reminder_hours: int
    timezone: str
    disabled: bool
    created_at: UtcDatetime

    @classmethod
    def from_domain(cls, user: User) -> UserOut:
        return cls(
            id=user.user_id,
            username=user.username,
            email=user.email,
            roles=sorted(user.effective_roles),
            custom_roles=sorted(user.custom_roles),
            is_admin=user.is_admin,
            mfa_enabled=user.mfa.enabled,
            email_verified=user.email_verified,
            email_notifications=user.email_notifications,
            reminder_hours=user.reminder_hours,
            timezone=user.timezone,
            disabled=user.disabled,
            created_at=user.created_at,
        )


class ProfileUpdate(Strict):
    """Only the fields sent are changed; `email: null` removes the address."""

    email: str | None = Field(default=None, max_length=254)
    email_notifications: bool | None = None
    reminder_hours: int | None = None
    timezone: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _not_empty(self) -> ProfileUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


class PasswordChange(Strict):
    current_password: str = Password
    new_password: str = Password


class AdminPasswordReset(Strict):
    user_id: str | None = Field(default=None, max_length=64)
    username: str | None = Field(default=None, max_length=64)
    new_password: str = Password

    @model_validator(mode="after")
    def _one_target(self) -> AdminPasswordReset:
        if not self.user_id and not self.username:
            raise ValueError("give user_id or username")
        return self


class UserListQuery(PageQuery):
    q: str = Field(default="", max_length=32, description="username prefix")


class UserPage(Page[UserOut]):
    pass


class SetupStatus(BaseModel):
    setup_complete: bool


class SetupInitialize(Strict):
    setup_token: str = Field(
        min_length=1,
        max_length=128,
        description="The one-time token printed by `make run` or the first-run step.",
    )
    username: str = Username
    password: str = Password
    email: str | None = Field(default=None, max_length=254)


class SetupResult(BaseModel):
    message: str
    user: UserOut
