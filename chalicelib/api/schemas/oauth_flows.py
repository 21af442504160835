"""Request/response models of the OAuth2 authorization code flow, revocation, introspection."""

from __future__ import annotations

from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.schemas.common import Strict

_TOKEN = Field(min_length=1, max_length=4096, repr=False)


class AuthorizeQuery(BaseModel):
    """RFC 6749 4.1.1 + RFC 7636 4.3. Unknown parameters are ignored, as RFC 6749 3.1 asks."""

    model_config = ConfigDict(extra="ignore")

    response_type: str | None = Field(default=None, max_length=32)
    client_id: str | None = Field(default=None, max_length=128)
    redirect_uri: str | None = Field(default=None, max_length=2048)
    scope: str | None = Field(default=None, max_length=512)
    state: str | None = Field(default=None, max_length=1024)
    code_challenge: str | None = Field(default=None, max_length=256)
    code_challenge_method: str | None = Field(default=None, max_length=16)

    def as_query(self) -> str:
        return urlencode(self.model_dump(exclude_none=True))


class ConsentOut(BaseModel):
    client_id: str
    client_name: str
    scopes: list[str]
    redirect_uri: str
    state: str


class ConsentDecision(Strict):
    """The consent screen's answer, with the authorization request it answers."""

    request: AuthorizeQuery
    approve: bool


class ConsentAnswer(BaseModel):
    redirect_to: str = Field(description="Where the browser goes next (the client's redirect URI).")


class TokenProbe(Strict):
    """RFC 7009 2.1 / RFC 7662 2.1 (form-urlencoded; JSON accepted). The client identifies
    itself with HTTP Basic or with client_id (+ client_secret) here."""

    token: str = _TOKEN
    token_type_hint: str | None = Field(default=None, max_length=32)
    client_id: str | None = Field(default=None, max_length=128)
    client_secret: str | None = Field(default=None, max_length=256, repr=False)

    def as_form(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}


class IntrospectionOut(BaseModel):
    """RFC 7662 2.2: only `active` when the token is not active."""

    model_config = ConfigDict(extra="allow")

    active: bool
    scope: str | None = None
    client_id: str | None = None
    sub: str | None = None
    username: str | None = None
    exp: int | None = None
    iat: int | None = None
    jti: str | None = None
    token_type: str | None = None
