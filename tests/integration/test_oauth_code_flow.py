"""OAuth2 for third-party apps (issue 14): authorization code + PKCE (S256 only), consent,
refresh rotation with reuse detection, revocation (RFC 7009), introspection (RFC 7662)."""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt
import pytest
from chalice.test import Client

from tests.factories import auth_headers, error_code, post_json
from tests.integration.oauth_kit import (
    REDIRECT,
    approved_code,
    authorize,
    authorize_params,
    code_client,
    consent,
    exchange,
    pkce,
    probe,
    query_of,
    refresh,
    tokens_for,
)

WHOAMI = "/api/v1/oauth/whoami"
REVOKE = "/api/v1/oauth/revoke"
INTROSPECT = "/api/v1/oauth/introspect"


def _whoami(client: Client, token: str) -> object:
    return client.http.get(WHOAMI, headers=auth_headers(token))


# -- registration ---------------------------------------------------------------------------


def test_a_public_client_has_no_secret_and_cannot_use_client_credentials(
    client: Client, admin_token: str
) -> None:
    app = code_client(client, admin_token, public=True)
    assert app["client_secret"] is None and app["public"] is True
    assert app["grant_types"] == ["authorization_code", "refresh_token"]
    refused = post_json(
        client,
        "/api/v1/oauth/clients",
        {"name": "x", "scopes": ["resources:read"], "public": True},
        admin_token,
    )
    assert refused.status_code == 422 and error_code(refused) == "invalid_grant_type"


@pytest.mark.parametrize(
    "uris",
    [[], ["http://example.com/cb"], ["https://example.com/cb#frag"], ["not a uri"]],
)
def test_a_code_flow_client_needs_good_redirect_uris(
    client: Client, admin_token: str, uris: list[str]
) -> None:
    body = {
        "name": "x",
        "scopes": ["resources:read"],
        "redirect_uris": uris,
        "grant_types": ["authorization_code"],
    }
    refused = post_json(client, "/api/v1/oauth/clients", body, admin_token)
    assert refused.status_code == 422 and error_code(refused) == "invalid_redirect_uri"


# -- authorize ------------------------------------------------------------------------------


def test_authorize_sends_the_browser_to_the_consent_screen(
    client: Client, admin_token: str
) -> None:
    app = code_client(client, admin_token)
    params = authorize_params(app, pkce().challenge)
    response = authorize(client, params)
    assert response.status_code == 302, response.body
    target = urlsplit(response.headers["Location"])
    assert target.fragment.startswith("/oauth/consent?")
    assert "code_challenge=" in target.fragment


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"client_id": "rrc_nosuch"}, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:8765/other"}, "invalid_request"),
        ({"redirect_uri": "https://evil.example.com/cb"}, "invalid_request"),
    ],
)
def test_authorize_never_redirects_to_an_unregistered_uri(
    client: Client, admin_token: str, change: dict[str, str], code: str
) -> None:
    app = code_client(client, admin_token)
    response = authorize(client, authorize_params(app, pkce().challenge, **change))
    assert response.status_code == 400, response.body
    assert "Location" not in response.headers
    assert response.json_body["error"]["details"]["error"] in (code, "invalid_client")


@pytest.mark.parametrize(
    ("change", "rfc_error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": ""}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"scope": "admin"}, "invalid_scope"),
        ({"state": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_authorize_sends_other_errors_back_to_the_client(
    client: Client, admin_token: str, change: dict[str, str], rfc_error: str
) -> None:
    app = code_client(client, admin_token)
    params = {k: v for k, v in authorize_params(app, pkce().challenge, **change).items() if v}
    response = authorize(client, params)
    assert response.status_code == 302, response.body
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    assert query_of(location)["error"] == rfc_error


# -- consent --------------------------------------------------------------------------------


def test_the_consent_screen_names_the_client_and_the_scopes(
    client: Client, admin_token: str, user_token: str
) -> None:
    app = code_client(client, admin_token)
    params = authorize_params(app, pkce().challenge)
    from urllib.parse import urlencode

    asked = client.http.get(
        "/api/v1/oauth/consent?" + urlencode(params), headers=auth_headers(user_token)
    )
    assert asked.status_code == 200, asked.body
    assert asked.json_body["client_name"] == "Calendar Sync"
    assert asked.json_body["scopes"] == ["reservations:read", "resources:read"]


def test_denying_sends_access_denied_with_the_state(
    client: Client, admin_token: str, user_token: str
) -> None:
    app = code_client(client, admin_token)
    answer = consent(client, user_token, authorize_params(app, pkce().challenge), approve=False)
    assert answer.status_code == 200, answer.body
    back = query_of(answer.json_body["redirect_to"])
    assert back == {
        "error": "access_denied",
        "error_description": "the user said no",
        "state": "xyz-state",
    }


def test_a_client_token_cannot_answer_a_consent_request(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    answer = consent(client, issued["access_token"], authorize_params(app, pkce().challenge))
    assert answer.status_code == 403 and error_code(answer) == "client_not_allowed"


# -- token: authorization_code ----------------------------------------------------------------


def test_full_flow_issues_a_user_token_bound_to_the_client(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    assert issued["token_type"] == "bearer" and issued["refresh_token"]
    assert issued["scope"] == "reservations:read resources:read"
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
    assert claims["cid"] == app["client_id"] and claims["typ"] == "access"
    me = _whoami(client, issued["access_token"])
    assert me.status_code == 200, me.body  # type: ignore[attr-defined]
    assert me.json_body["name"] == "alice"  # type: ignore[attr-defined]
    assert me.json_body["scopes"] == ["reservations:read", "resources:read"]  # type: ignore[attr-defined]


def test_a_user_token_via_a_client_carries_the_intersection_of_scopes(
    client: Client, admin_token: str, user_token: str
) -> None:
    """alice (role user) grants resources:write, which her role does not hold: not granted."""
    app = code_client(client, admin_token)
    pair = pkce()
    params = authorize_params(app, pair.challenge, scope="resources:read resources:write")
    issued = exchange(client, app, approved_code(client, user_token, params), pair.verifier)
    assert issued.status_code == 200, issued.body
    me = _whoami(client, issued.json_body["access_token"])
    assert me.json_body["scopes"] == ["resources:read"]  # type: ignore[attr-defined]
    # A route without a declared scope (own profile) is closed to it, as to client tokens.
    profile = client.http.get(
        "/api/v1/users/me", headers=auth_headers(issued.json_body["access_token"])
    )
    assert profile.status_code == 403


def test_a_code_works_once_and_a_replay_revokes_what_it_issued(
    client: Client, admin_token: str, user_token: str
) -> None:
    app = code_client(client, admin_token)
    pair = pkce()
    code = approved_code(client, user_token, authorize_params(app, pair.challenge))
    first = exchange(client, app, code, pair.verifier)
    assert first.status_code == 200, first.body
    again = exchange(client, app, code, pair.verifier)
    assert again.status_code == 400 and error_code(again) == "invalid_grant"
    assert again.json_body["error"]["details"]["error"] == "invalid_grant"
    assert _whoami(client, first.json_body["access_token"]).status_code == 401  # type: ignore[attr-defined]


def test_a_wrong_verifier_is_refused(client: Client, admin_token: str, user_token: str) -> None:
    app = code_client(client, admin_token)
    pair = pkce()
    code = approved_code(client, user_token, authorize_params(app, pair.challenge))
    refused = exchange(client, app, code, pkce().verifier)
    assert refused.status_code == 400 and error_code(refused) == "invalid_grant"


def test_a_missing_verifier_is_refused(client: Client, admin_token: str, user_token: str) -> None:
    app = code_client(client, admin_token)
    pair = pkce()
    code = approved_code(client, user_token, authorize_params(app, pair.challenge))
    fields_without = exchange(client, app, code, "")
    assert fields_without.status_code == 400
    assert error_code(fields_without) in ("invalid_request", "invalid_grant")


def test_a_redirect_uri_mismatch_is_refused(
    client: Client, admin_token: str, user_token: str
) -> None:
    app = code_client(client, admin_token)
    pair = pkce()
    code = approved_code(client, user_token, authorize_params(app, pair.challenge))
    refused = exchange(
        client, app, code, pair.verifier, redirect_uri="http://127.0.0.1:8765/elsewhere"
    )
    assert refused.status_code == 400 and error_code(refused) in (
        "invalid_request",
        "invalid_grant",
    )


def test_an_expired_code_is_refused(
    client: Client, clock: object, admin_token: str, user_token: str
) -> None:
    from datetime import timedelta

    app = code_client(client, admin_token)
    pair = pkce()
    code = approved_code(client, user_token, authorize_params(app, pair.challenge))
    clock.advance(timedelta(seconds=61))  # type: ignore[attr-defined]
    refused = exchange(client, app, code, pair.verifier)
    assert refused.status_code == 400 and error_code(refused) == "invalid_grant"


def test_another_clients_code_and_a_bad_secret_are_refused(
    client: Client, admin_token: str, user_token: str
) -> None:
    app = code_client(client, admin_token)
    intruder = code_client(client, admin_token)
    pair = pkce()
    code = approved_code(client, user_token, authorize_params(app, pair.challenge))
    stolen = exchange(client, intruder, code, pair.verifier)
    assert stolen.status_code == 400 and error_code(stolen) == "invalid_grant"
    bad_secret = exchange(client, app, code, pair.verifier, client_secret="nope")
    assert bad_secret.status_code == 401 and error_code(bad_secret) == "invalid_client"


def test_a_public_client_exchanges_with_pkce_alone(
    client: Client, admin_token: str, user_token: str
) -> None:
    app = code_client(client, admin_token, public=True)
    pair = pkce()
    code = approved_code(client, user_token, authorize_params(app, pair.challenge))
    issued = exchange(client, app, code, pair.verifier)
    assert issued.status_code == 200, issued.body
    assert _whoami(client, issued.json_body["access_token"]).status_code == 200  # type: ignore[attr-defined]


# -- token: refresh_token ---------------------------------------------------------------------


def test_refresh_rotates_and_a_reused_token_revokes_the_grant(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    rotated = refresh(client, app, issued["refresh_token"])
    assert rotated.status_code == 200, rotated.body
    fresh = rotated.json_body
    assert fresh["refresh_token"] != issued["refresh_token"]
    assert _whoami(client, fresh["access_token"]).status_code == 200  # type: ignore[attr-defined]
    reused = refresh(client, app, issued["refresh_token"])
    assert reused.status_code == 400 and error_code(reused) == "invalid_grant"
    # The whole family is over: the newest refresh token and its access token too.
    assert refresh(client, app, fresh["refresh_token"]).status_code == 400
    assert _whoami(client, fresh["access_token"]).status_code == 401  # type: ignore[attr-defined]


def test_refresh_may_narrow_but_not_widen_the_scope(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    from tests.factories import post_form

    base = {"grant_type": "refresh_token", "client_id": app["client_id"]}
    base["client_secret"] = app["client_secret"]
    wider = post_form(
        client,
        "/api/v1/oauth/token",
        {**base, "refresh_token": issued["refresh_token"], "scope": "resources:write"},
    )
    assert wider.status_code == 400 and error_code(wider) == "invalid_scope"
    narrower = post_form(
        client,
        "/api/v1/oauth/token",
        {**base, "refresh_token": issued["refresh_token"], "scope": "resources:read"},
    )
    assert narrower.status_code == 200 and narrower.json_body["scope"] == "resources:read"


def test_an_unknown_grant_type_is_unsupported(client: Client, admin_token: str) -> None:
    app = code_client(client, admin_token)
    from tests.factories import post_form

    response = post_form(
        client, "/api/v1/oauth/token", {"grant_type": "password", "client_id": app["client_id"]}
    )
    assert response.status_code == 400 and error_code(response) == "unsupported_grant_type"


# -- revoke and introspect ----------------------------------------------------------------------


def test_introspect_describes_a_live_token(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    facts = probe(client, app, INTROSPECT, issued["access_token"])
    assert facts.status_code == 200, facts.body
    body = facts.json_body
    assert body["active"] is True and body["client_id"] == app["client_id"]
    assert body["username"] == "alice" and body["scope"] == "reservations:read resources:read"
    refresh_facts = probe(client, app, INTROSPECT, issued["refresh_token"]).json_body
    assert refresh_facts["active"] is True and refresh_facts["token_type"] == "refresh_token"


def test_revoking_an_access_token_stops_it_at_once(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    assert probe(client, app, REVOKE, issued["access_token"]).status_code == 200
    assert probe(client, app, INTROSPECT, issued["access_token"]).json_body == {"active": False}
    assert _whoami(client, issued["access_token"]).status_code == 401  # type: ignore[attr-defined]
    # Its grant lives on: the refresh token still works.
    assert refresh(client, app, issued["refresh_token"]).status_code == 200


def test_revoking_a_refresh_token_ends_the_grant(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    assert probe(client, app, REVOKE, issued["refresh_token"]).status_code == 200
    assert probe(client, app, INTROSPECT, issued["refresh_token"]).json_body == {"active": False}
    assert probe(client, app, INTROSPECT, issued["access_token"]).json_body == {"active": False}
    assert _whoami(client, issued["access_token"]).status_code == 401  # type: ignore[attr-defined]
    assert refresh(client, app, issued["refresh_token"]).status_code == 400


def test_revoke_answers_200_for_unknown_and_other_clients_tokens(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    other = code_client(client, admin_token)
    assert probe(client, app, REVOKE, "no-such-token").status_code == 200
    assert probe(client, other, REVOKE, issued["access_token"]).status_code == 200
    # The other client could not revoke (nor see) a token that is not its own.
    assert probe(client, other, INTROSPECT, issued["access_token"]).json_body == {"active": False}
    assert _whoami(client, issued["access_token"]).status_code == 200  # type: ignore[attr-defined]


def test_revoke_and_introspect_need_client_authentication(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    anonymous = {"client_id": app["client_id"], "client_secret": "wrong"}
    for path in (REVOKE, INTROSPECT):
        refused = probe(client, anonymous, path, issued["access_token"])
        assert refused.status_code == 401 and error_code(refused) == "invalid_client"
    public = code_client(client, admin_token, public=True)
    # Public clients have no secret: they may revoke their tokens, never introspect.
    assert probe(client, public, REVOKE, "whatever").status_code == 200
    assert probe(client, public, INTROSPECT, "whatever").status_code == 401


def test_basic_client_authentication_works(
    client: Client, admin_token: str, user_token: str
) -> None:
    import base64

    app, issued = tokens_for(client, admin_token, user_token)
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    response = client.http.post(
        INTROSPECT,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {basic}",
        },
        body=f"token={issued['access_token']}",
    )
    assert response.status_code == 200 and response.json_body["active"] is True


def test_deleting_the_client_ends_its_users_tokens(
    client: Client, admin_token: str, user_token: str
) -> None:
    app, issued = tokens_for(client, admin_token, user_token)
    deleted = client.http.delete(
        f"/api/v1/oauth/clients/{app['client_id']}", headers=auth_headers(admin_token)
    )
    assert deleted.status_code == 204
    assert _whoami(client, issued["access_token"]).status_code == 401  # type: ignore[attr-defined]
