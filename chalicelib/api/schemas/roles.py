"""Request/response models of custom roles (roles14)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, model_validator

from chalicelib.api.schemas.common import Strict, UtcDatetime

if TYPE_CHECKING:  # the service module loads with the first roles request, not at cold start
    from chalicelib.services.accounts.roles import ClientRoleView, RoleView, ScopeView

# Transport limits; the domain rules (domain/accounts/roles.py) give the precise messages.
RoleName = Field(min_length=1, max_length=64)
Scopes = Field(max_length=32)
Description = Field(max_length=1000)


class ScopeOut(BaseModel):
    name: str
    description: str
    grantable: bool  # False for `admin`: only the built-in admin role grants it

    @classmethod
    def from_view(cls, view: ScopeView) -> ScopeOut:
        return cls(name=view.name, description=view.description, grantable=view.grantable)


class RoleOut(BaseModel):
    name: str
    description: str
    scopes: list[str]
    builtin: bool
    version: int | None = None  # custom roles: send it back with an edit (409 if it moved)
    holders: int | None = None  # custom roles: users and clients holding it
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    created_by: str | None = None

    @classmethod
    def from_view(cls, view: RoleView) -> RoleOut:
        return cls(
            name=view.name,
            description=view.description,
            scopes=sorted(view.scopes),
            builtin=view.builtin,
            version=view.version,
            holders=view.holders,
            created_at=view.created_at,
            updated_at=view.updated_at,
            created_by=view.created_by,
        )


class RoleCreate(Strict):
    name: str = RoleName
    description: str = Field(default="", max_length=1000)
    scopes: list[str] = Scopes


class RoleReplace(Strict):
    """PUT: every field; `version` (optional) = the version the editor read."""

    description: str = Description
    scopes: list[str] = Scopes
    version: int | None = Field(default=None, ge=1)


class RolePatch(Strict):
    """PATCH: only the fields given change."""

    description: str | None = Field(default=None, max_length=1000)
    scopes: list[str] | None = Field(default=None, max_length=32)
    version: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _something(self) -> RolePatch:
        if self.description is None and self.scopes is None:
            raise ValueError("give description or scopes")
        return self


class RoleDeleteQuery(Strict):
    version: int | None = Field(default=None, ge=1)


class RoleAssignment(Strict):
    user_id: str = Field(min_length=1, max_length=64)
    role: str = Field(
        min_length=1, max_length=64, description="admin, user, guest or a custom role"
    )


class ClientRoleAssignment(Strict):
    client_id: str = Field(min_length=1, max_length=64)
    role: str = RoleName


class ClientRolesOut(BaseModel):
    client_id: str
    roles: list[str]
    scopes: list[str]  # what the roles add to the client's own scopes

    @classmethod
    def from_view(cls, view: ClientRoleView) -> ClientRolesOut:
        return cls(client_id=view.client_id, roles=sorted(view.roles), scopes=sorted(view.scopes))
