"""OAuth2 codes and refresh tokens under real concurrency (issue 14), on DynamoDB Local
through the HTTP API: one authorization code exchanged by many requests at once, and one
refresh token presented by many at once. docs/oauth.md: a code and a refresh token work
once; a replayed code or a reused refresh token revokes the whole grant. Read back from
the table, not only from the answers."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.race_kit import TABLE, Target, _dynamodb, register_users, together

pytestmark = [pytest.mark.e2e, pytest.mark.race]

RACERS = 8
REDIRECT = "http://127.0.0.1:8765/callback"
TOKEN = "/api/v1/oauth/token"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _granted(target: Target, admin: str) -> tuple[dict[str, Any], str, str, str]:
    """A confidential code-flow client, a user who approved it, the code and its verifier."""
    [user] = register_users(target, 1)
    with httpx.Client(base_url=target.api_url, timeout=60) as http:
        body = {
            "name": "Race app",
            "scopes": ["reservations:read", "resources:read"],
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code", "refresh_token"],
        }
        made = http.post(
            "/api/v1/oauth/clients", json=body, headers={"Authorization": f"Bearer {admin}"}
        )
        assert made.status_code == 201, made.text
        app: dict[str, Any] = made.json()
        verifier, challenge = _pkce()
        request = {
            "response_type": "code",
            "client_id": app["client_id"],
            "redirect_uri": REDIRECT,
            "scope": "reservations:read resources:read",
            "state": "race-state",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        answer = http.post(
            "/api/v1/oauth/consent",
            json={"request": request, "approve": True},
            headers={"Authorization": f"Bearer {user}"},
        )
        assert answer.status_code == 200, answer.text
        code = parse_qs(urlsplit(answer.json()["redirect_to"]).query)["code"][0]
    return app, user, code, verifier


def _form(app: dict[str, Any], **fields: str) -> dict[str, str]:
    return {"client_id": app["client_id"], "client_secret": app["client_secret"], **fields}


def _rfc_error(response: httpx.Response) -> str:
    return str(response.json()["error"]["details"]["error"])


def _families(target: Target, user_token: str) -> list[dict[str, Any]]:
    """The user's refresh families (grants) as stored: USER#<id> / FAMILY#<grant>."""
    with httpx.Client(base_url=target.api_url, timeout=30) as http:
        me = http.get("/api/v1/users/me", headers={"Authorization": f"Bearer {user_token}"})
        user_id = str(me.json()["id"])
    found = _dynamodb(target).query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}, ":sk": {"S": "FAMILY#"}},
        ConsistentRead=True,
    )
    return list(found["Items"])


def test_a_code_exchanged_by_many_at_once_has_one_winner_and_the_replays_end_its_grant(
    target: Target, admin_api_token: str
) -> None:
    app, user, code, verifier = _granted(target, admin_api_token)
    form = _form(
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    with httpx.Client(base_url=target.api_url, timeout=120) as http:
        answers = together([lambda: http.post(TOKEN, data=form) for _ in range(RACERS)])
        statuses = sorted(a.status_code for a in answers)
        # Exactly one exchange wins; every other one is refused as an invalid grant
        assert statuses == [200] + [400] * (RACERS - 1), [a.text for a in answers]
        assert {_rfc_error(a) for a in answers if a.status_code == 400} == {"invalid_grant"}
        [won] = [a.json() for a in answers if a.status_code == 200]
        # And the replays revoked the grant the code started: its tokens no longer work
        whoami = http.get(
            "/api/v1/oauth/whoami", headers={"Authorization": f"Bearer {won['access_token']}"}
        )
        assert whoami.status_code == 401, whoami.text
        again = http.post(
            TOKEN, data=_form(app, grant_type="refresh_token", refresh_token=won["refresh_token"])
        )
        assert again.status_code == 400 and _rfc_error(again) == "invalid_grant"
    # Read back: the code is marked used once, and the one grant it started is revoked
    stored = _dynamodb(target).query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={
            ":pk": {"S": "OAUTHCODE#" + hashlib.sha256(code.encode()).hexdigest()}
        },
        ConsistentRead=True,
    )["Items"]
    assert len(stored) <= 1 and all("used_at" in item for item in stored)
    families = _families(target, user)
    grants = [f for f in families if f.get("family_id", {}).get("S")]
    assert any(f.get("revoked", {}).get("BOOL") for f in grants), grants


def test_a_refresh_token_presented_by_many_at_once_rotates_once_and_ends_the_grant(
    target: Target, admin_api_token: str
) -> None:
    app, _user, code, verifier = _granted(target, admin_api_token)
    with httpx.Client(base_url=target.api_url, timeout=120) as http:
        first = http.post(
            TOKEN,
            data=_form(
                app,
                grant_type="authorization_code",
                code=code,
                redirect_uri=REDIRECT,
                code_verifier=verifier,
            ),
        )
        assert first.status_code == 200, first.text
        refresh = _form(
            app, grant_type="refresh_token", refresh_token=first.json()["refresh_token"]
        )
        answers = together([lambda: http.post(TOKEN, data=refresh) for _ in range(RACERS)])
        won = [a for a in answers if a.status_code == 200]
        # At most one rotation; every other presentation is refused (a reuse or a lost race)
        assert len(won) <= 1, [a.text for a in won]
        refused = [a for a in answers if a.status_code != 200]
        assert all(a.status_code == 400 for a in refused), [a.text for a in refused]
        assert {_rfc_error(a) for a in refused} == {"invalid_grant"}
        # Reuse revokes the whole grant: the winner's new refresh token works no more either
        for answer in won:
            newer = _form(
                app, grant_type="refresh_token", refresh_token=answer.json()["refresh_token"]
            )
            later = http.post(TOKEN, data=newer)
            assert later.status_code == 400 and _rfc_error(later) == "invalid_grant"
