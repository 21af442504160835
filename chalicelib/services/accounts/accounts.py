"""Accounts: registration, first-run setup, profile, passwords, roles, enable/disable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from chalicelib.domain.accounts.accounts import (
    ProfileChanges,
    User,
    validate_email,
    validated_changes,
)
from chalicelib.domain.accounts.email_verification import new_pending
from chalicelib.domain.accounts.passwords import PasswordHasher, PasswordPolicy
from chalicelib.domain.accounts.usernames import normalize_username, validate_username
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal, Role, require_admin
from chalicelib.domain.timeutil import epoch_seconds
from chalicelib.services.accounts.attempts import AttemptGate
from chalicelib.store.accounts.users import SetupClaim, UserStore, invalid_setup_token
from chalicelib.store.pagination import CursorCodec

# Long enough to finish a deployment's first run, short enough that a forgotten token dies.
SETUP_TOKEN_LIFETIME = timedelta(hours=24)


def setup_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    email: str | None = None


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    next_cursor: str | None


class AccountService:
    def __init__(
        self,
        *,
        users: UserStore,
        hasher: PasswordHasher,
        ids: IdFactory,
        clock: Clock,
        cursors: CursorCodec,
        gate: AttemptGate,
        policy: PasswordPolicy | None = None,
    ) -> None:
        self._gate = gate
        self._users = users
        self._hasher = hasher
        self._ids = ids
        self._clock = clock
        self._cursors = cursors
        self._policy = policy or PasswordPolicy()

    def register(self, account: NewAccount) -> User:
        user = self._new_user(account, frozenset({Role.USER}))
        self._users.create(user)
        return user

    def setup_status(self) -> bool:
        return self._users.setup_complete()

    def issue_setup_token(self) -> str:
        """A new one-time setup token (replacing any earlier one); only its SHA-256 is kept.

        `make run` and the first-run step of a deployment print it; the setup consumes it.
        """
        if self._users.setup_complete():
            raise Conflict("setup is already complete", code="setup_complete")
        token = f"rrsetup_{secrets.token_urlsafe(32)}"
        now = self._clock.now()
        self._users.put_setup_token(setup_token_hash(token), now, now + SETUP_TOKEN_LIFETIME)
        return token

    def initialize(self, account: NewAccount, setup_token: str, client_ip: str = "") -> User:
        """First run: create the first admin, or promote an existing user who proves it.

        Only with the one-time setup token (issue 9, finding 7): checked here, then consumed
        by the same transaction that writes the setup item (deleted on the condition that it
        still holds this hash), so a token works once. The setup item is written with
        attribute_not_exists, so of two racing calls exactly one creates an admin; the other
        gets 409 setup_complete. The token is checked before a promoted user's password, so
        the setup path is no password oracle for whoever comes first.
        """
        if self._users.setup_complete():
            raise Conflict("setup is already complete", code="setup_complete")
        claim = SetupClaim(self._clock.now(), setup_token_hash(setup_token))
        # The token and a promoted user's password are secrets: guesses are limited too.
        attempt = self._gate.reserve("setup", normalize_username(account.username), client_ip)
        self._check_setup_token(claim)
        existing = self._users.find_by_username(normalize_username(account.username))
        if existing is None:
            attempt.not_counted()  # the token was right: nothing was guessed
            user = self._new_user(account, frozenset({Role.ADMIN, Role.USER}))
            self._users.create(user, first_admin=claim)
            return user
        if not self._hasher.verify(existing.password_hash, account.password):
            raise NotAuthenticated(
                "this username exists: give its password to promote it", code="invalid_credentials"
            )
        attempt.succeeded()
        self._users.promote_first_admin(existing.user_id, claim)
        return replace(existing, roles=existing.roles | {Role.ADMIN})

    def _check_setup_token(self, claim: SetupClaim) -> None:
        outstanding = self._users.setup_token()
        if outstanding is None:
            raise invalid_setup_token()
        stored_hash, expires_at = outstanding
        if not hmac.compare_digest(stored_hash, claim.token_hash):
            raise invalid_setup_token()
        if expires_at <= epoch_seconds(claim.at):  # TTL deletion is lazy
            raise invalid_setup_token()

    def _new_user(self, account: NewAccount, roles: frozenset[Role]) -> User:
        username = validate_username(account.username)
        self._policy.check(account.password, username=username)
        email = validate_email(account.email) if account.email else None
        now = self._clock.now()
        return User(
            user_id=self._ids.new_id(),
            username=username,
            roles=roles,
            password_hash=self._hasher.hash(account.password),
            created_at=now,
            email=email,
            # Written with the user: the stream mails the link (finding 14). The first admin
            # too: a typo at setup must not send a stranger our mail.
            email_verification=new_pending(now) if email else None,
        )

    def profile(self, principal: Principal) -> User:
        return self._users.require(principal.subject_id)

    def update_profile(self, principal: Principal, changes: ProfileChanges) -> User:
        checked = validated_changes(changes)
        if checked.email is not None:
            current = self._users.require(principal.subject_id).email
            if checked.email == current:  # the same address stays as verified as it was
                checked = replace(checked, email=None)
            else:  # a new address is unverified until its own link is followed
                checked = replace(checked, verification=new_pending(self._clock.now()))
        return self._users.update_profile(principal.subject_id, checked)

    def change_password(self, principal: Principal, current: str, new: str) -> None:
        user = self._users.require(principal.subject_id)
        # A stolen access token must not become an unlimited password oracle.
        attempt = self._gate.reserve("password", user.username, principal.client_ip)
        if not self._hasher.verify(user.password_hash, current):
            raise NotAuthenticated(
                "the current password is not correct", code="invalid_credentials"
            )
        attempt.succeeded()
        if current == new:
            raise InvalidInput(
                "the new password must differ from the current one",
                code="weak_password",
                details={"rule": "unchanged"},
            )
        self._policy.check(new, username=user.username)
        self._users.set_password(user.user_id, self._hasher.hash(new))

    def admin_reset_password(
        self, admin: Principal, *, user_id: str | None, username: str | None, new_password: str
    ) -> User:
        require_admin(admin)
        user = self._resolve(user_id, username)
        self._policy.check(new_password, username=user.username)
        return self._users.set_password(user.user_id, self._hasher.hash(new_password))

    def _resolve(self, user_id: str | None, username: str | None) -> User:
        if user_id:
            return self._users.require(user_id)
        if username:
            user = self._users.find_by_username(normalize_username(username))
            if user is not None:
                return user
            raise NotFound("no such user", code="user_not_found")
        raise InvalidInput("give user_id or username", code="user_required")

    def list_users(
        self, admin: Principal, *, limit: int, cursor: str | None, prefix: str
    ) -> UserPage:
        require_admin(admin)
        scope = f"users:{normalize_username(prefix)}"
        start: dict[str, Any] | None = self._cursors.decode(cursor, scope=scope)
        users, last = self._users.page(
            limit=limit, start_key=start, prefix=normalize_username(prefix)
        )
        return UserPage(users, self._cursors.encode(last, scope=scope))

    def assign_role(self, admin: Principal, user_id: str, role: Role) -> User:
        require_admin(admin)
        return self._users.add_role(user_id, role)

    def remove_role(self, admin: Principal, user_id: str, role: Role) -> User:
        require_admin(admin)
        if role is Role.ADMIN and user_id == admin.subject_id:
            raise Conflict(
                "you cannot remove your own admin role; ask another admin",
                code="cannot_remove_own_admin",
            )
        return self._users.remove_role(user_id, role)

    def set_disabled(self, admin: Principal, user_id: str, disabled: bool) -> User:
        require_admin(admin)
        if disabled and user_id == admin.subject_id:
            raise Conflict("you cannot disable your own account", code="cannot_disable_self")
        return self._users.set_disabled(user_id, disabled)
