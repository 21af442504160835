"""User accounts, the username-uniqueness item and the one-off setup item.

Keys:
  USER#<user_id> / PROFILE            the account (GSI1: USERS / <username> for admin listing)
  USERNAME#<username> / USERNAME      uniqueness guard, put in the same transaction as the user
  SETUP / SETUP                       exists once the first admin has been created
  SETUPTOKEN / SETUPTOKEN             the one-time setup token, as SHA-256 (`expires_at`);
                                      deleted, guarded on its hash, by the setup transaction
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.domain.accounts.accounts import Mfa, ProfileChanges, User
from chalicelib.domain.accounts.email_verification import PendingVerification
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.principal import Role
from chalicelib.domain.timeutil import epoch_seconds, iso_z, parse_instant
from chalicelib.store import audit_stamp
from chalicelib.store.accounts.base import failed_positions, transaction
from chalicelib.store.table import TableItem, bind

PROFILE_SK = "PROFILE"
USERS_INDEX_PK = "USERS"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def username_pk(username: str) -> str:
    return f"USERNAME#{username}"


class UserItem(TableItem, discriminator="user"):
    user_id = UnicodeAttribute()
    username = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute()
    roles = UnicodeSetAttribute(null=True)
    custom_roles = UnicodeSetAttribute(null=True)  # names of custom roles (store/accounts/roles.py)
    token_version = NumberAttribute(default=0)
    disabled = BooleanAttribute(default=False)
    email_notifications = BooleanAttribute(default=True)
    reminder_hours = NumberAttribute(default=24)
    timezone = UnicodeAttribute(default="UTC")
    created_at = UnicodeAttribute()
    mfa_enabled = BooleanAttribute(default=False)
    mfa_secret = UnicodeAttribute(null=True)
    mfa_pending_secret = UnicodeAttribute(null=True)
    mfa_pending_codes = UnicodeSetAttribute(null=True)
    totp_last_step = NumberAttribute(null=True)
    backup_codes = UnicodeSetAttribute(null=True)
    email_verified = BooleanAttribute(default=False)
    # The pending verification link (store/accounts/email_verification.py); a new nonce is
    # what the stream turns into `user.email_verification_requested`.
    email_verify_nonce = UnicodeAttribute(null=True)
    email_verify_expires_at = NumberAttribute(null=True)
    email_verify_sent_at = NumberAttribute(null=True)


class UsernameItem(TableItem, discriminator="username"):
    user_id = UnicodeAttribute()


class SetupItem(TableItem, discriminator="setup"):
    admin_id = UnicodeAttribute()
    completed_at = UnicodeAttribute()


class SetupTokenItem(TableItem, discriminator="setup_token"):
    token_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()


SETUP_TOKEN_KEY = ("SETUPTOKEN", "SETUPTOKEN")


@dataclass(frozen=True)
class SetupClaim:
    """What the first-admin transaction carries: when, and the hash of the token presented
    (the token item is deleted on the condition that it still holds that hash)."""

    at: datetime
    token_hash: str


def _consume_token(tx: TransactWrite, claim: SetupClaim) -> None:
    tx.delete(
        SetupTokenItem(*SETUP_TOKEN_KEY),
        condition=SetupTokenItem.token_hash == claim.token_hash,
    )


def to_domain(item: UserItem) -> User:
    return User(
        user_id=item.user_id,
        username=item.username,
        roles=frozenset(Role(r) for r in item.roles or ()),
        custom_roles=frozenset(item.custom_roles or ()),
        password_hash=item.password_hash,
        created_at=parse_instant(item.created_at),
        email=item.email,
        token_version=int(item.token_version),
        disabled=bool(item.disabled),
        email_notifications=bool(item.email_notifications),
        reminder_hours=int(item.reminder_hours),
        timezone=item.timezone,
        mfa=Mfa(
            enabled=bool(item.mfa_enabled),
            secret_sealed=item.mfa_secret,
            pending_secret_sealed=item.mfa_pending_secret,
            last_step=None if item.totp_last_step is None else int(item.totp_last_step),
            backup_code_count=len(item.backup_codes or ()),
        ),
        email_verified=bool(item.email_verified),
        email_verification=_pending(item),
    )


def _pending(item: UserItem) -> PendingVerification | None:
    if item.email_verify_nonce is None:
        return None
    return PendingVerification(
        nonce=item.email_verify_nonce,
        expires_at=int(item.email_verify_expires_at or 0),
        sent_at=int(item.email_verify_sent_at or 0),
    )


def pending_actions(pending: PendingVerification) -> list[Action]:
    return [
        UserItem.email_verify_nonce.set(pending.nonce),
        UserItem.email_verify_expires_at.set(pending.expires_at),
        UserItem.email_verify_sent_at.set(pending.sent_at),
    ]


def no_pending_actions() -> list[Action]:
    return [
        UserItem.email_verify_nonce.remove(),
        UserItem.email_verify_expires_at.remove(),
        UserItem.email_verify_sent_at.remove(),
    ]


def _to_item(user: User) -> UserItem:
    pending = user.email_verification
    return UserItem(
        PK=user_pk(user.user_id),
        SK=PROFILE_SK,
        GSI1PK=USERS_INDEX_PK,
        GSI1SK=user.username,
        user_id=user.user_id,
        username=user.username,
        email=user.email,
        password_hash=user.password_hash,
        roles={r.value for r in user.roles} or None,
        token_version=user.token_version,
        created_at=iso_z(user.created_at),
        email_notifications=user.email_notifications,
        reminder_hours=user.reminder_hours,
        timezone=user.timezone,
        email_verified=user.email_verified,
        email_verify_nonce=pending.nonce if pending else None,
        email_verify_expires_at=pending.expires_at if pending else None,
        email_verify_sent_at=pending.sent_at if pending else None,
    )


def _setup_item(admin_id: str, now: datetime) -> SetupItem:
    return SetupItem(PK="SETUP", SK="SETUP", admin_id=admin_id, completed_at=iso_z(now))


def _username_taken() -> Conflict:
    return Conflict("this username is taken", code="username_taken")


def _setup_done() -> Conflict:
    return Conflict("setup is already complete", code="setup_complete")


def invalid_setup_token() -> Forbidden:
    return Forbidden(
        "setup needs the one-time setup token printed by `make run` or by the first-run step "
        "(python -m infra.setup_token)",
        code="invalid_setup_token",
    )


class UserStore:
    """Store for accounts; every invariant is a condition on the write itself."""

    def create(self, user: User, *, first_admin: SetupClaim | None = None) -> None:
        """Put user + username guard (+ the setup item, consuming the setup token)
        all-or-nothing."""
        try:
            with transaction() as tx:
                if first_admin is not None:
                    _consume_token(tx, first_admin)
                tx.save(
                    UsernameItem(
                        PK=username_pk(user.username), SK="USERNAME", user_id=user.user_id
                    ),
                    condition=UsernameItem.PK.does_not_exist(),
                )
                tx.save(audit_stamp.stamp(_to_item(user)), condition=UserItem.PK.does_not_exist())
                if first_admin is not None:
                    tx.save(
                        _setup_item(user.user_id, first_admin.at),
                        condition=SetupItem.PK.does_not_exist(),
                    )
        except TransactWriteError as exc:
            # Deletes come first in the request (see failed_positions): token, name, user, setup.
            failed = failed_positions(exc)
            if first_admin is None:
                if failed:
                    raise _username_taken() from exc
                raise
            if 3 in failed:
                raise _setup_done() from exc
            if 0 in failed:
                raise invalid_setup_token() from exc
            if failed:
                raise _username_taken() from exc
            raise

    def promote_first_admin(self, user_id: str, claim: SetupClaim) -> None:
        """Mark setup complete and make an existing user admin, atomically (token consumed)."""
        try:
            with transaction() as tx:
                _consume_token(tx, claim)
                tx.save(_setup_item(user_id, claim.at), condition=SetupItem.PK.does_not_exist())
                tx.update(
                    _key_item(user_id),
                    actions=[UserItem.roles.add({Role.ADMIN.value}), *audit_stamp.stamp_actions()],
                    condition=UserItem.PK.exists(),
                )
        except TransactWriteError as exc:
            failed = failed_positions(exc)  # token (delete), setup (put), user (update)
            if 1 in failed:
                raise _setup_done() from exc
            if 0 in failed:
                raise invalid_setup_token() from exc
            raise

    def put_setup_token(self, token_hash: str, now: datetime, expires_at: datetime) -> None:
        """Issue (or replace) the one-time setup token; only its hash is stored."""
        bind()
        SetupTokenItem(
            *SETUP_TOKEN_KEY,
            token_hash=token_hash,
            created_at=iso_z(now),
            expires_at=epoch_seconds(expires_at),
        ).save()

    def setup_token(self) -> tuple[str, int] | None:
        """(hash, expires_at epoch seconds) of the outstanding setup token, if any."""
        bind()
        try:
            item = SetupTokenItem.get(*SETUP_TOKEN_KEY, consistent_read=True)
        except DoesNotExist:
            return None
        return item.token_hash, int(item.expires_at or 0)

    def setup_complete(self) -> bool:
        bind()
        try:
            SetupItem.get("SETUP", "SETUP", consistent_read=True)
        except DoesNotExist:
            return False
        return True

    def get_item(self, user_id: str) -> UserItem | None:
        bind()
        try:
            return UserItem.get(user_pk(user_id), PROFILE_SK, consistent_read=True)
        except DoesNotExist:
            return None

    def get(self, user_id: str) -> User | None:
        item = self.get_item(user_id)
        return None if item is None else to_domain(item)

    def require(self, user_id: str) -> User:
        user = self.get(user_id)
        if user is None:
            raise NotFound("no such user", code="user_not_found")
        return user

    def find_by_username(self, username: str) -> User | None:
        bind()
        try:
            guard = UsernameItem.get(username_pk(username), "USERNAME", consistent_read=True)
        except DoesNotExist:
            return None
        return self.get(guard.user_id)

    def update(self, user_id: str, actions: list[Action]) -> User:
        """Apply update actions to an existing user; a missing user is NotFound."""
        item = _key_item(user_id)
        try:
            item.update(
                actions=[*actions, *audit_stamp.stamp_actions()], condition=UserItem.PK.exists()
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("no such user", code="user_not_found") from exc
            raise
        return to_domain(item)

    def try_update(self, user_id: str, actions: list[Action], condition: Any) -> bool:
        """Apply actions only if `condition` holds; False when it does not (no exception)."""
        try:
            _key_item(user_id).update(
                actions=[*actions, *audit_stamp.stamp_actions()],
                condition=UserItem.PK.exists() & condition,
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def update_profile(self, user_id: str, changes: ProfileChanges) -> User:
        actions: list[Action] = []
        if changes.clear_email:
            actions += [UserItem.email.remove(), UserItem.email_verified.set(False)]
            actions += no_pending_actions()
        elif changes.email is not None:
            # A new address is unverified, with a new link (older links die with the nonce).
            actions += [UserItem.email.set(changes.email), UserItem.email_verified.set(False)]
            if changes.verification is not None:
                actions += pending_actions(changes.verification)
        if changes.email_notifications is not None:
            actions.append(UserItem.email_notifications.set(changes.email_notifications))
        if changes.reminder_hours is not None:
            actions.append(UserItem.reminder_hours.set(changes.reminder_hours))
        if changes.timezone is not None:
            actions.append(UserItem.timezone.set(changes.timezone))
        if not actions:
            return self.require(user_id)
        return self.update(user_id, actions)

    def set_password(self, user_id: str, password_hash: str) -> User:
        """New hash and a new token version: every token issued before stops working."""
        return self.update(
            user_id,
            [UserItem.password_hash.set(password_hash), UserItem.token_version.add(1)],
        )

    def set_disabled(self, user_id: str, disabled: bool) -> User:
        actions: list[Action] = [UserItem.disabled.set(disabled)]
        if disabled:
            actions.append(UserItem.token_version.add(1))
        return self.update(user_id, actions)

    def add_role(self, user_id: str, role: Role) -> User:
        return self.update(user_id, [UserItem.roles.add({role.value})])

    def remove_role(self, user_id: str, role: Role) -> User:
        return self.update(user_id, [UserItem.roles.delete({role.value})])

    def page(
        self, *, limit: int, start_key: dict[str, Any] | None, prefix: str = ""
    ) -> tuple[list[User], dict[str, Any] | None]:
        bind()
        condition = UserItem.GSI1SK.startswith(prefix) if prefix else None
        results = UserItem.gsi1.query(
            USERS_INDEX_PK,
            range_key_condition=condition,
            limit=limit,
            last_evaluated_key=start_key,
        )
        users = [to_domain(item) for item in results if isinstance(item, UserItem)]
        return users, results.last_evaluated_key


def _key_item(user_id: str) -> UserItem:
    # Update actions only need the key; the discriminator is not rewritten.
    return UserItem(PK=user_pk(user_id), SK=PROFILE_SK)
