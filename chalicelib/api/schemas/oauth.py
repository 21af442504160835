"""Request/response models of the OAuth2 client-credentials family."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Page, Strict, UtcDatetime
from chalicelib.domain.accounts.oauth_clients import OAuthClient


class ClientCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=10)
    # Authorization code flow (issue 14): where codes may be sent, and how the client gets
    # tokens. A public client (browser or native app) has no secret and must use PKCE.
    redirect_uris: list[str] = Field(default_factory=list, max_length=10)
    grant_types: list[str] = Field(
        default_factory=lambda: ["client_credentials"], min_length=1, max_length=3
    )
    public: bool = False


class ClientOut(BaseModel):
    client_id: str
    name: str
    scopes: list[str]
    owner_id: str
    created_at: UtcDatetime
    redirect_uris: list[str] = Field(default_factory=list)
    grant_types: list[str] = Field(default_factory=list)
    public: bool = False

    @classmethod
    def from_domain(cls, client: OAuthClient) -> ClientOut:
        return cls(
            client_id=client.client_id,
            name=client.name,
            scopes=sorted(client.scopes),
            owner_id=client.owner_id,
            created_at=client.created_at,
            redirect_uris=list(client.redirect_uris),
            grant_types=sorted(client.grant_types),
            public=client.is_public,
        )


class ClientCreated(ClientOut):
    client_secret: str | None = Field(
        description="Shown once; only a hash is stored. None for a public client."
    )


class ClientPage(Page[ClientOut]):
    pass


class TokenRequest(Strict):
    """RFC 6749 sections 4.4, 4.1.3 and 6 (form-urlencoded); JSON is accepted too. The client
    may authenticate with HTTP Basic instead of client_id/client_secret here."""

    grant_type: str = Field(min_length=1, max_length=64)
    client_id: str | None = Field(default=None, min_length=1, max_length=128)
    client_secret: str | None = Field(default=None, min_length=1, max_length=256, repr=False)
    scope: str | None = Field(default=None, max_length=512)
    # authorization_code (RFC 6749 4.1.3 + RFC 7636 4.5)
    code: str | None = Field(default=None, max_length=256, repr=False)
    redirect_uri: str | None = Field(default=None, max_length=2048)
    code_verifier: str | None = Field(default=None, max_length=128, repr=False)
    # refresh_token (RFC 6749 6)
    refresh_token: str | None = Field(default=None, max_length=256, repr=False)

    def as_form(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    scope: str
    refresh_token: str | None = Field(
        default=None, description="Code and refresh grants: rotated on every use."
    )


class WhoAmI(BaseModel):
    subject_id: str
    name: str
    is_client: bool
    scopes: list[str]
