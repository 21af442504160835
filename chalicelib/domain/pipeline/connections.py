"""WebSocket connections: who is connected, until when a connection record is trusted, and
whether the sign-in behind it still holds (issue 9, finding 6).

A socket is signed in once (`auth`), but it lives up to two hours: the access token that
signed it in may expire, be logged out, or lose its meaning (password change, disabling,
role change) long before. So the connection keeps what the access-token check uses (token
id, expiry, token version) and the roles it was granted, and `session_problem` re-runs that
check before every message is handled and before every push.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain.timeutil import epoch_seconds

# API Gateway closes every WebSocket after 2 hours; a record older than that (plus a margin)
# belongs to a connection whose $disconnect never ran, and is ignored, then purged.
CONNECTION_LIFETIME = timedelta(hours=2, minutes=5)


@dataclass(frozen=True)
class WsSession:
    """The sign-in of a connection: the access token's id, expiry and version, and roles."""

    user_id: str
    token_id: str
    token_expires_at: int  # epoch seconds, the token's `exp`
    token_version: int
    roles: tuple[str, ...]
    # The sign-in (refresh family, the token's `sid`) it belongs to: ending that sign-in (an
    # MFA change signs out other devices) ends the socket too, as it ends REST requests.
    session_id: str = ""

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


@dataclass(frozen=True)
class AccountState:
    """What the session check needs of the user's account, read fresh for every check."""

    user_id: str
    disabled: bool
    token_version: int
    roles: tuple[str, ...]  # effective roles, sorted


@dataclass(frozen=True)
class SessionFacts:
    """The accounts (by user id) and denied token ids a batch of session checks needs."""

    accounts: dict[str, AccountState] = field(default_factory=dict)
    denied: frozenset[str] = frozenset()
    ended_sessions: frozenset[str] = frozenset()  # sign-ins (`sid`) revoked or expired


@dataclass(frozen=True)
class WsConnection:
    connection_id: str
    connected_at: datetime
    expires_at: datetime
    source_ip: str = ""
    user_id: str | None = None
    session: WsSession | None = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def is_live(self, now: datetime) -> bool:
        return now < self.expires_at


def expiry_for(connected_at: datetime) -> datetime:
    return connected_at + CONNECTION_LIFETIME


def session_problem(
    session: WsSession | None,
    account: AccountState | None,
    *,
    denied: bool,
    now: datetime,
    sign_in_ended: bool = False,
) -> str | None:
    """Why this sign-in no longer holds (a `session_ended` reason), or None while it does.

    The same rules as the REST authenticator (services/accounts/auth.py), plus roles: a
    socket signed in as admin receives admins' detail, so a role change ends it too.
    """
    if session is None:
        return "not_signed_in"
    if session.token_expires_at <= epoch_seconds(now):
        return "token_expired"
    if denied or sign_in_ended:
        return "token_revoked"
    if account is None:
        return "account_deleted"
    if account.disabled:
        return "account_disabled"
    if account.token_version != session.token_version:
        return "token_revoked"  # password change, disabling, or an admin's revocation
    if tuple(sorted(account.roles)) != tuple(sorted(session.roles)):
        return "roles_changed"
    return None
