"""Access-token claims: what is signed, and what the verifier refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from chalicelib.domain.accounts.tokens import TokenCodec, claims_from_payload, new_claims
from chalicelib.domain.errors import NotAuthenticated

SECRET = "unit-test-secret-0123456789-0123456789"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _claims(**overrides: object) -> dict[str, Any]:
    claims = new_claims(
        subject="u1",
        username="alice",
        roles=["user"],
        token_id="jti-1",
        now=NOW,
        lifetime=timedelta(minutes=15),
        token_version=3,
        session_id="fam-1",
    )
    payload = claims.as_jwt_payload()
    payload.update(overrides)
    return payload


def test_access_claims_carry_subject_roles_jti_type_and_version() -> None:
    payload = _claims()
    assert payload["sub"] == "u1"
    assert payload["username"] == "alice"
    assert payload["roles"] == ["user"]
    assert payload["jti"] == "jti-1"
    assert payload["typ"] == "access"
    assert payload["tv"] == 3
    assert payload["sid"] == "fam-1"
    assert payload["exp"] - payload["iat"] == 15 * 60


def test_an_access_token_without_a_session_is_refused() -> None:
    payload = _claims()
    del payload["sid"]
    with pytest.raises(NotAuthenticated) as caught:
        claims_from_payload(payload)
    assert caught.value.code == "invalid_token"


def test_an_access_token_never_outlives_its_session() -> None:
    end = int(NOW.timestamp()) + 60
    claims = new_claims(
        subject="u1",
        username="alice",
        roles=["user"],
        token_id="j",
        now=NOW,
        lifetime=timedelta(minutes=15),
        session_id="fam-1",
        not_after=end,
    )
    assert claims.expires_at == end


def test_round_trip_through_the_codec() -> None:
    codec = TokenCodec(SECRET)
    token = codec.encode(claims_from_payload(_claims()))
    decoded = codec.decode(token, NOW + timedelta(minutes=5))
    assert decoded.subject == "u1"
    assert decoded.token_version == 3


def test_expired_token_is_refused_with_token_expired() -> None:
    codec = TokenCodec(SECRET)
    token = codec.encode(claims_from_payload(_claims()))
    with pytest.raises(NotAuthenticated) as caught:
        codec.decode(token, NOW + timedelta(minutes=16))
    assert caught.value.code == "token_expired"


def test_token_signed_with_another_key_is_refused() -> None:
    token = TokenCodec("another-secret-0123456789-0123456789").encode(
        claims_from_payload(_claims())
    )
    with pytest.raises(NotAuthenticated) as caught:
        TokenCodec(SECRET).decode(token, NOW)
    assert caught.value.code == "invalid_token"


def test_unsigned_alg_none_token_is_refused() -> None:
    token = jwt.encode(_claims(), key="", algorithm="none")
    with pytest.raises(NotAuthenticated):
        TokenCodec(SECRET).decode(token, NOW)


@pytest.mark.parametrize(
    "overrides",
    [{"typ": "refresh"}, {"typ": None}, {"jti": 5}, {"exp": "soon"}, {"tv": True}],
)
def test_wrong_type_or_missing_claims_are_refused(overrides: dict[str, object]) -> None:
    token = jwt.encode(_claims(**overrides), SECRET, algorithm="HS256")
    with pytest.raises(NotAuthenticated) as caught:
        TokenCodec(SECRET).decode(token, NOW)
    assert caught.value.code == "invalid_token"


def test_token_issued_in_the_future_is_refused() -> None:
    codec = TokenCodec(SECRET)
    token = codec.encode(claims_from_payload(_claims()))
    with pytest.raises(NotAuthenticated):
        codec.decode(token, NOW - timedelta(minutes=1))


def test_client_tokens_carry_their_scopes() -> None:
    claims = new_claims(
        subject="rrc_1",
        username="robot",
        roles=(),
        token_id="j",
        now=NOW,
        lifetime=timedelta(minutes=5),
        token_type="client",
        scopes=["resources:read", "reservations:read"],
    )
    decoded = claims_from_payload(claims.as_jwt_payload())
    assert decoded.token_type == "client"
    assert decoded.scopes == ("reservations:read", "resources:read")
