"""Who is calling, and the one place that decides owner-or-admin access."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.domain.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    USER = "user"
    GUEST = "guest"


class Channel(StrEnum):
    WEB = "web"
    CLI = "cli"
    API = "api"
    SYSTEM = "system"


# Scopes an OAuth client may be granted; a user token implicitly carries those of its role.
ALL_SCOPES = frozenset(
    {
        "resources:read",
        "resources:write",
        "reservations:read",
        "reservations:write",
        "admin",
    }
)
ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.ADMIN: ALL_SCOPES,
    Role.USER: frozenset({"resources:read", "reservations:read", "reservations:write"}),
    Role.GUEST: frozenset({"resources:read", "reservations:read"}),
}


@dataclass(frozen=True)
class Principal:
    """The verified caller. `subject_id` is a user id, or a client id for OAuth clients."""

    subject_id: str
    username: str
    roles: frozenset[Role]
    scopes: frozenset[str] = field(default_factory=frozenset)
    is_client: bool = False
    channel: Channel = Channel.API
    client_ip: str = ""
    token_id: str = ""
    session_id: str = ""  # the sign-in (refresh family) a user's access token belongs to
    # OAuth authorization code flow (issue 14): the client acting for this user, if any.
    via_client: str = ""

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def can(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_read_only(self) -> bool:
        """A user holding no role but guest (a user stripped of every role is a guest too).
        OAuth clients have no roles; their scopes decide what they may do."""
        return not self.is_client and self.roles <= {Role.GUEST}


SYSTEM = Principal(
    subject_id="system",
    username="system",
    roles=frozenset({Role.ADMIN}),
    scopes=ALL_SCOPES,
    channel=Channel.SYSTEM,
)


def require_scope(principal: Principal, scope: str) -> None:
    if not principal.can(scope):
        raise Forbidden(f"this action needs the '{scope}' permission", code="missing_scope")


def require_writer(principal: Principal) -> None:
    """Guests are read-only everywhere: no write of their own objects either (issue 9, #13)."""
    if principal.is_read_only:
        raise Forbidden("guests have read-only access", code="guest_read_only")


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("this action is for administrators", code="admin_required")


def require_owner_or_admin(principal: Principal, owner_id: str) -> None:
    """Objects belong to one user; only that user or an admin may act on them."""
    if principal.is_admin or principal.subject_id == owner_id:
        return
    raise Forbidden("you may only act on your own records", code="not_owner")


def visible_to(owner_id: str, viewer: Principal | None) -> bool:
    """Owners and admins see a reservation (or series) whole; everyone else only that a
    time is taken (a 409's conflicts, a schedule's busy blocks)."""
    return viewer is not None and (viewer.is_admin or owner_id == viewer.subject_id)
