"""Refresh tokens (hashed), their rotation families, and the access-token deny-list.

Keys:
  REFRESH#<sha256(token)> / REFRESH       one refresh token; `used_at` once rotated
  USER#<user_id> / FAMILY#<family_id>     a login session; `revoked` ends every token in it,
                                          refresh and access alike (access tokens carry the
                                          family id as `sid`, read on every request);
                                          `session_ends_at` is its absolute end
  JTI#<jti> / DENY                        a revoked access token, kept until it would expire
All three carry `expires_at` (TTL); readers also compare it with the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.domain.accounts.accounts import User
from chalicelib.domain.accounts.oauth_clients import OAuthClient
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.store.accounts.base import failed_positions, transaction
from chalicelib.store.accounts.oauth_clients import (
    CLIENT_SK,
    OAuthClientItem,
    client_from_item,
    client_pk,
)
from chalicelib.store.accounts.users import PROFILE_SK, UserItem, to_domain, user_pk
from chalicelib.store.table import TableItem, bind


def refresh_pk(token_hash: str) -> str:
    return f"REFRESH#{token_hash}"


def family_sk(family_id: str) -> str:
    return f"FAMILY#{family_id}"


def deny_pk(jti: str) -> str:
    return f"JTI#{jti}"


class RefreshTokenItem(TableItem, discriminator="refresh_token"):
    user_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    token_version = NumberAttribute()
    created_at = UnicodeAttribute()
    used_at = UnicodeAttribute(null=True)
    session_ends_at = NumberAttribute(null=True)  # copied from the family at each rotation


class RefreshFamilyItem(TableItem, discriminator="refresh_family"):
    family_id = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    session_ends_at = NumberAttribute(null=True)

    def live(self, now: datetime) -> bool:
        ends = int(self.session_ends_at or self.expires_at or 0)
        return not self.revoked and ends > epoch_seconds(now)


class DeniedTokenItem(TableItem, discriminator="denied_token"):
    reason = UnicodeAttribute(default="logout")


@dataclass(frozen=True)
class StoredRefresh:
    user_id: str
    family_id: str
    token_version: int
    expires_at: int
    used: bool
    session_ends_at: int


@dataclass(frozen=True)
class SubjectLookup:
    """What one request's BatchGetItem found: the token's subject, whether its jti is
    deny-listed, and whether its session (for a user's access token) is still live."""

    subject: User | OAuthClient | None
    denied: bool
    session_live: bool
    # The client a user's token was issued to (authorization code flow); None once deleted.
    via_client: OAuthClient | None = None


class RotationRefused(Exception):
    """`reused`: the presented token was already rotated; `revoked`: its family is over."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TokenStore:
    def find_refresh(self, token_hash: str) -> StoredRefresh | None:
        bind()
        try:
            item = RefreshTokenItem.get(refresh_pk(token_hash), "REFRESH", consistent_read=True)
        except DoesNotExist:
            return None
        return StoredRefresh(
            user_id=item.user_id,
            family_id=item.family_id,
            token_version=int(item.token_version),
            expires_at=int(item.expires_at or 0),
            used=item.used_at is not None,
            session_ends_at=int(item.session_ends_at or item.expires_at or 0),
        )

    def family_active(self, user_id: str, family_id: str, now: datetime) -> bool:
        bind()
        try:
            item = RefreshFamilyItem.get(
                user_pk(user_id), family_sk(family_id), consistent_read=True
            )
        except DoesNotExist:
            return False
        return not item.revoked and int(item.expires_at or 0) > epoch_seconds(now)

    def start_family(
        self,
        *,
        user_id: str,
        family_id: str,
        token_hash: str,
        token_version: int,
        now: datetime,
        expires_at: int,
        session_ends_at: int,
    ) -> None:
        """A new login: the family item and its first token, together."""
        with transaction() as tx:
            tx.save(
                RefreshFamilyItem(
                    PK=user_pk(user_id),
                    SK=family_sk(family_id),
                    family_id=family_id,
                    created_at=iso_z(now),
                    expires_at=expires_at,
                    session_ends_at=session_ends_at,
                ),
                condition=RefreshFamilyItem.PK.does_not_exist(),
            )
            tx.save(
                _token_item(
                    token_hash=token_hash,
                    user_id=user_id,
                    family_id=family_id,
                    token_version=token_version,
                    now=now,
                    expires_at=expires_at,
                    session_ends_at=session_ends_at,
                ),
                condition=RefreshTokenItem.PK.does_not_exist(),
            )

    def rotate(
        self,
        *,
        old_hash: str,
        new_hash: str,
        stored: StoredRefresh,
        now: datetime,
        expires_at: int,
    ) -> None:
        """Mark the old token used and add its successor, only if neither was done before.

        Two clients racing with one token: exactly one wins; the other sees `reused`.
        """
        try:
            with transaction() as tx:
                # Sent as: put (0), then the updates (1: old token, 2: family).
                tx.save(
                    _token_item(
                        token_hash=new_hash,
                        user_id=stored.user_id,
                        family_id=stored.family_id,
                        token_version=stored.token_version,
                        now=now,
                        expires_at=expires_at,
                        session_ends_at=stored.session_ends_at,
                    ),
                    condition=RefreshTokenItem.PK.does_not_exist(),
                )
                tx.update(
                    RefreshTokenItem(PK=refresh_pk(old_hash), SK="REFRESH"),
                    actions=[RefreshTokenItem.used_at.set(iso_z(now))],
                    condition=RefreshTokenItem.PK.exists()
                    & RefreshTokenItem.used_at.does_not_exist(),
                )
                tx.update(
                    RefreshFamilyItem(PK=user_pk(stored.user_id), SK=family_sk(stored.family_id)),
                    actions=[RefreshFamilyItem.expires_at.set(expires_at)],
                    condition=RefreshFamilyItem.PK.exists() & _not_revoked(),
                )
        except TransactWriteError as exc:
            failed = failed_positions(exc)
            if 1 in failed:
                raise RotationRefused("reused") from exc
            if 2 in failed:
                raise RotationRefused("revoked") from exc
            raise

    def revoke_family(self, user_id: str, family_id: str) -> None:
        item = RefreshFamilyItem(PK=user_pk(user_id), SK=family_sk(family_id))
        try:
            item.update(
                actions=[RefreshFamilyItem.revoked.set(True)],
                condition=RefreshFamilyItem.PK.exists(),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def revoke_all_families(self, user_id: str, now: datetime, *, keep: str = "") -> int:
        """Revoke every live session of a user but `keep` (one query, one update per live
        family)."""
        bind()
        count = 0
        query = RefreshFamilyItem.query(
            user_pk(user_id),
            RefreshFamilyItem.SK.startswith("FAMILY#"),
            filter_condition=_not_revoked() & (RefreshFamilyItem.expires_at > epoch_seconds(now)),
        )
        for item in query:
            if item.family_id == keep:
                continue
            self.revoke_family(user_id, item.family_id)
            count += 1
        return count

    def deny_access_token(self, jti: str, until: int) -> None:
        bind()
        DeniedTokenItem(PK=deny_pk(jti), SK="DENY", expires_at=until).save()

    def load_subject_and_denial(
        self,
        subject_id: str,
        *,
        is_client: bool,
        jti: str,
        session_id: str,
        now: datetime,
        via_client: str = "",
    ) -> SubjectLookup:
        """ONE consistent BatchGetItem: the token's subject (a user, or an OAuth client for a
        client token), its deny-list entry and, for a user, its session's family item (and
        the client it was issued to, if any)."""
        bind()
        pk, sk = (client_pk(subject_id), CLIENT_SK) if is_client else user_key(subject_id)
        subject: User | OAuthClient | None = None
        via: OAuthClient | None = None
        denied = session_live = False
        keys = [(pk, sk), (deny_pk(jti), "DENY")]
        if session_id and not is_client:
            keys.append((user_pk(subject_id), family_sk(session_id)))
        if via_client and not is_client:
            keys.append((client_pk(via_client), CLIENT_SK))
        for item in TableItem.batch_get(keys, consistent_read=True):
            if isinstance(item, OAuthClientItem) and not is_client:
                via = client_from_item(item) if client_pk(via_client) == item.PK else None
                continue
            if isinstance(item, DeniedTokenItem):
                denied = int(item.expires_at or 0) > epoch_seconds(now)
            elif isinstance(item, RefreshFamilyItem) and item.family_id == session_id:
                session_live = item.live(now)
            elif isinstance(item, UserItem) and not is_client and pk == item.PK:
                subject = to_domain(item)
            elif isinstance(item, OAuthClientItem) and is_client and pk == item.PK:
                subject = client_from_item(item)
        return SubjectLookup(subject, denied, session_live, via)


def _not_revoked() -> Condition:
    return RefreshFamilyItem.revoked == False  # noqa: E712 (builds a DynamoDB condition)


def user_key(user_id: str) -> tuple[str, str]:
    return user_pk(user_id), PROFILE_SK


def _token_item(
    *,
    token_hash: str,
    user_id: str,
    family_id: str,
    token_version: int,
    now: datetime,
    expires_at: int,
    session_ends_at: int,
) -> RefreshTokenItem:
    return RefreshTokenItem(
        PK=refresh_pk(token_hash),
        SK="REFRESH",
        user_id=user_id,
        family_id=family_id,
        token_version=token_version,
        created_at=iso_z(now),
        expires_at=expires_at,
        session_ends_at=session_ends_at,
    )


__all__ = [
    "RefreshTokenItem",
    "RotationRefused",
    "StoredRefresh",
    "SubjectLookup",
    "TokenStore",
    "UserItem",
]
