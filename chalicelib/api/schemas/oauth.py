"""Request/response models of the OAuth2 client-credentials family."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Page, Strict, UtcDatetime
from chalicelib.domain.accounts.oauth_clients import OAuthClient


class ClientCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=10)


class ClientOut(BaseModel):
    client_id: str
    name: str
    scopes: list[str]
    owner_id: str
    created_at: UtcDatetime

    @classmethod
    def from_domain(cls, client: OAuthClient) -> ClientOut:
        return cls(
            client_id=client.client_id,
            name=client.name,
            scopes=sorted(client.scopes),
            owner_id=client.owner_id,
            created_at=client.created_at,
        )


class ClientCreated(ClientOut):
    client_secret: str = Field(description="Shown once; only a hash is stored.")


class ClientPage(Page[ClientOut]):
    pass


class TokenRequest(Strict):
    """RFC 6749 section 4.4 (form-urlencoded); JSON is accepted too."""

    grant_type: str = Field(min_length=1, max_length=64)
    client_id: str = Field(min_length=1, max_length=128)
    client_secret: str = Field(min_length=1, max_length=256, repr=False)
    scope: str | None = Field(default=None, max_length=512)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    scope: str


class WhoAmI(BaseModel):
    subject_id: str
    name: str
    is_client: bool
    scopes: list[str]
