"""Access-token claims and their checks (pure), and the JWT codec (HS256 via pyjwt).

Expiry is checked against the injected clock, not pyjwt's wall clock, so tests can freeze
time and the rule lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from chalicelib.domain.errors import NotAuthenticated
from chalicelib.domain.timeutil import epoch_seconds

TokenType = Literal["access", "client"]
ALGORITHM = "HS256"
# A few seconds of tolerance for clock skew between the issuer and a verifier.
LEEWAY_SECONDS = 5


@dataclass(frozen=True)
class Claims:
    subject: str  # a user id, or an OAuth client id for `typ == "client"`
    username: str
    roles: tuple[str, ...]
    token_id: str  # jti (ULID): the deny-list key
    issued_at: int  # epoch seconds
    expires_at: int
    token_type: TokenType
    token_version: int = 0  # tv: the user's token version when issued
    scopes: tuple[str, ...] = ()
    # sid: the sign-in (refresh family) of a user's access token; ending the session ends it.
    session_id: str = ""
    # cid: the OAuth client a user's access token was issued to (authorization code flow);
    # `scopes` then hold what the user granted it.
    client_id: str = ""

    def as_jwt_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "sub": self.subject,
            "username": self.username,
            "roles": list(self.roles),
            "jti": self.token_id,
            "iat": self.issued_at,
            "exp": self.expires_at,
            "typ": self.token_type,
            "tv": self.token_version,
        }
        if self.scopes:
            payload["scope"] = " ".join(self.scopes)
        if self.session_id:
            payload["sid"] = self.session_id
        if self.client_id:
            payload["cid"] = self.client_id
        return payload


def new_claims(
    *,
    subject: str,
    username: str,
    roles: Iterable[str],
    token_id: str,
    now: datetime,
    lifetime: timedelta,
    token_type: TokenType = "access",  # noqa: S107 (a token kind, not a secret)
    token_version: int = 0,
    scopes: Iterable[str] = (),
    session_id: str = "",
    not_after: int | None = None,
    client_id: str = "",
) -> Claims:
    """`not_after` caps the expiry (an access token never outlives its session)."""
    issued = epoch_seconds(now)
    expires = issued + int(lifetime.total_seconds())
    return Claims(
        subject=subject,
        username=username,
        roles=tuple(sorted(roles)),
        token_id=token_id,
        issued_at=issued,
        expires_at=expires if not_after is None else min(expires, not_after),
        token_type=token_type,
        token_version=token_version,
        scopes=tuple(sorted(scopes)),
        session_id=session_id,
        client_id=client_id,
    )


def claims_from_payload(payload: dict[str, Any]) -> Claims:
    """Turn a decoded payload into `Claims`; anything missing or mistyped is a bad token."""
    try:
        token_type = payload["typ"]
        if token_type not in ("access", "client"):
            raise _invalid("this is not an access token")
        scope = payload.get("scope", "")
        session_id = _str(payload.get("sid", ""))
        if token_type == "access" and not session_id:
            raise _invalid("the access token names no session")
        return Claims(
            subject=_str(payload["sub"]),
            username=_str(payload.get("username", "")),
            roles=tuple(_str(r) for r in payload.get("roles", [])),
            token_id=_str(payload["jti"]),
            issued_at=_int(payload["iat"]),
            expires_at=_int(payload["exp"]),
            token_type=token_type,
            token_version=_int(payload.get("tv", 0)),
            scopes=tuple(_str(scope).split()) if scope else (),
            session_id=session_id,
            client_id=_str(payload.get("cid", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _invalid("the token is missing required claims") from exc


def check_lifetime(claims: Claims, now: datetime) -> None:
    """Refuse expired tokens and tokens issued in the future (beyond the skew leeway)."""
    current = epoch_seconds(now)
    if claims.expires_at + LEEWAY_SECONDS <= current:
        raise NotAuthenticated("the access token has expired", code="token_expired")
    if claims.issued_at - LEEWAY_SECONDS > current:
        raise _invalid("the token was issued in the future")


class TokenCodec:
    """Signs and verifies JWTs with the app's secret (HS256 only: no `alg` confusion)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def encode(self, claims: Claims) -> str:
        # PyJWT (and the cryptography backends it loads) on first use, not on a cold import.
        import jwt

        return jwt.encode(claims.as_jwt_payload(), self._secret, algorithm=ALGORITHM)

    def decode(self, token: str, now: datetime) -> Claims:
        import jwt

        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidTokenError as exc:
            raise _invalid("the access token is not valid") from exc
        claims = claims_from_payload(payload)
        check_lifetime(claims, now)
        return claims


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string claim")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected an integer claim")
    return value


def _invalid(message: str) -> NotAuthenticated:
    return NotAuthenticated(message, code="invalid_token")
