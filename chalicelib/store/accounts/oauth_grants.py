"""What the OAuth2 authorization code flow keeps: one-time codes and client refresh tokens.

Keys (every secret is stored as its SHA-256 only):
  OAUTHCODE#<sha256(code)> / CODE         an approved consent: client, user, redirect URI,
                                          scopes, PKCE challenge; `used_at` once exchanged
  OAUTHREFRESH#<sha256(token)> / REFRESH  a client's refresh token; `used_at` once rotated
  USER#<user_id> / FAMILY#<family_id>     the grant's family: the same item a sign-in uses, so
                                          the authenticator's session check (`sid`) ends every
                                          access token of a revoked grant at once
All carry `expires_at` (TTL); readers compare it with the clock too (TTL deletion is lazy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.store.accounts.base import failed_positions, transaction
from chalicelib.store.accounts.tokens import RefreshFamilyItem, RotationRefused, family_sk
from chalicelib.store.accounts.users import user_pk
from chalicelib.store.table import TableItem, bind


def code_pk(code_hash: str) -> str:
    return f"OAUTHCODE#{code_hash}"


def oauth_refresh_pk(token_hash: str) -> str:
    return f"OAUTHREFRESH#{token_hash}"


class OAuthCodeItem(TableItem, discriminator="oauth_code"):
    client_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    redirect_uri = UnicodeAttribute()
    scopes = UnicodeSetAttribute(null=True)
    code_challenge = UnicodeAttribute()
    family_id = (
        UnicodeAttribute()
    )  # the grant the exchange starts (revoked if the code is replayed)
    created_at = UnicodeAttribute()
    used_at = UnicodeAttribute(null=True)


class OAuthRefreshItem(TableItem, discriminator="oauth_refresh"):
    client_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    scopes = UnicodeSetAttribute(null=True)
    family_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    used_at = UnicodeAttribute(null=True)
    session_ends_at = NumberAttribute()  # the grant's absolute end (epoch seconds)


@dataclass(frozen=True)
class AuthorizationCode:
    code_hash: str
    client_id: str
    user_id: str
    redirect_uri: str
    scopes: frozenset[str]
    code_challenge: str
    family_id: str
    expires_at: int


@dataclass(frozen=True)
class ClientRefresh:
    token_hash: str
    client_id: str
    user_id: str
    scopes: frozenset[str]
    family_id: str
    expires_at: int
    session_ends_at: int
    used: bool


class CodeRefused(Exception):
    """`replayed`: the code was exchanged before (its grant is revoked); `invalid` otherwise."""

    def __init__(self, reason: str, code: AuthorizationCode | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class OAuthGrantStore:
    # -- authorization codes --------------------------------------------------------------

    def save_code(self, code: AuthorizationCode, now: datetime) -> None:
        bind()
        OAuthCodeItem(
            PK=code_pk(code.code_hash),
            SK="CODE",
            client_id=code.client_id,
            user_id=code.user_id,
            redirect_uri=code.redirect_uri,
            scopes=set(code.scopes) or None,
            code_challenge=code.code_challenge,
            family_id=code.family_id,
            created_at=iso_z(now),
            expires_at=code.expires_at,
        ).save(condition=OAuthCodeItem.PK.does_not_exist())

    def consume_code(self, code_hash: str, client_id: str, now: datetime) -> AuthorizationCode:
        """Mark the code used, once: a conditional write, so two racing exchanges get one winner."""
        bind()
        item = OAuthCodeItem(PK=code_pk(code_hash), SK="CODE")
        try:
            item.update(
                actions=[OAuthCodeItem.used_at.set(iso_z(now))],
                condition=OAuthCodeItem.PK.exists()
                & OAuthCodeItem.used_at.does_not_exist()
                & (OAuthCodeItem.client_id == client_id)
                & (OAuthCodeItem.expires_at > epoch_seconds(now)),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise self._refusal(code_hash, client_id) from exc
        return _code(code_hash, item)

    def _refusal(self, code_hash: str, client_id: str) -> CodeRefused:
        try:
            item = OAuthCodeItem.get(code_pk(code_hash), "CODE", consistent_read=True)
        except DoesNotExist:
            return CodeRefused("invalid")
        if item.used_at is not None and item.client_id == client_id:
            return CodeRefused("replayed", _code(code_hash, item))
        return CodeRefused("invalid")

    # -- refresh tokens -------------------------------------------------------------------

    def start_grant(self, refresh: ClientRefresh, now: datetime) -> None:
        """The grant's family and its first refresh token, together."""
        with transaction() as tx:
            tx.save(
                RefreshFamilyItem(
                    PK=user_pk(refresh.user_id),
                    SK=family_sk(refresh.family_id),
                    family_id=refresh.family_id,
                    created_at=iso_z(now),
                    expires_at=refresh.expires_at,
                    session_ends_at=refresh.session_ends_at,
                ),
                condition=RefreshFamilyItem.PK.does_not_exist(),
            )
            tx.save(_refresh_item(refresh, now), condition=OAuthRefreshItem.PK.does_not_exist())

    def find_refresh(self, token_hash: str) -> ClientRefresh | None:
        bind()
        try:
            item = OAuthRefreshItem.get(
                oauth_refresh_pk(token_hash), "REFRESH", consistent_read=True
            )
        except DoesNotExist:
            return None
        return ClientRefresh(
            token_hash=token_hash,
            client_id=item.client_id,
            user_id=item.user_id,
            scopes=frozenset(item.scopes or ()),
            family_id=item.family_id,
            expires_at=int(item.expires_at or 0),
            session_ends_at=int(item.session_ends_at),
            used=item.used_at is not None,
        )

    def rotate(self, old: ClientRefresh, new: ClientRefresh, now: datetime) -> None:
        """Old token used + successor saved + family still live, or nothing (RotationRefused)."""
        try:
            with transaction() as tx:
                # Sent as: put (0), then the updates (1: old token, 2: family).
                tx.save(_refresh_item(new, now), condition=OAuthRefreshItem.PK.does_not_exist())
                tx.update(
                    OAuthRefreshItem(PK=oauth_refresh_pk(old.token_hash), SK="REFRESH"),
                    actions=[OAuthRefreshItem.used_at.set(iso_z(now))],
                    condition=OAuthRefreshItem.PK.exists()
                    & OAuthRefreshItem.used_at.does_not_exist(),
                )
                tx.update(
                    RefreshFamilyItem(PK=user_pk(old.user_id), SK=family_sk(old.family_id)),
                    actions=[RefreshFamilyItem.expires_at.set(new.expires_at)],
                    condition=RefreshFamilyItem.PK.exists() & (RefreshFamilyItem.revoked == False),  # noqa: E712 (a DynamoDB condition)
                )
        except TransactWriteError as exc:
            failed = failed_positions(exc)
            if 1 in failed:
                raise RotationRefused("reused") from exc
            if 2 in failed:
                raise RotationRefused("revoked") from exc
            raise


def _code(code_hash: str, item: OAuthCodeItem) -> AuthorizationCode:
    return AuthorizationCode(
        code_hash=code_hash,
        client_id=item.client_id,
        user_id=item.user_id,
        redirect_uri=item.redirect_uri,
        scopes=frozenset(item.scopes or ()),
        code_challenge=item.code_challenge,
        family_id=item.family_id,
        expires_at=int(item.expires_at or 0),
    )


def _refresh_item(refresh: ClientRefresh, now: datetime) -> OAuthRefreshItem:
    return OAuthRefreshItem(
        PK=oauth_refresh_pk(refresh.token_hash),
        SK="REFRESH",
        client_id=refresh.client_id,
        user_id=refresh.user_id,
        scopes=set(refresh.scopes) or None,
        family_id=refresh.family_id,
        created_at=iso_z(now),
        expires_at=refresh.expires_at,
        session_ends_at=refresh.session_ends_at,
    )
