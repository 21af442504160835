"""OAuth2 for third-party apps (issue 14): authorization code + PKCE (S256 only) with the web
app's consent screen, refresh with rotation, revocation (RFC 7009), introspection (RFC 7662).

oauthlib runs the grants (`oauth_validator.Validator` answers its questions from our stores);
this service feeds it requests and turns its answers into ours. oauthlib is imported here on
first use only, so a cold `import app` never loads it.

oauthlib wants a URI to parse parameters from, and refuses plain-http ones: the routes sit
behind API Gateway (https) or the local stack (http on 127.0.0.1), so we hand it a fixed
https URI carrying the query; nothing else of it is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from chalicelib.domain.errors import DomainError, Forbidden, NotAuthenticated
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.oauth import oauth_error

if TYPE_CHECKING:
    from chalicelib.services.accounts.oauth_validator import FlowDeps, Validator

BASE = "https://oauth.invalid/"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class ConsentRequest:
    client_id: str
    client_name: str
    scopes: list[str]
    redirect_uri: str
    state: str


@dataclass(frozen=True)
class OAuthAnswer:
    """What oauthlib said, as a body, a status and headers (token endpoint answers)."""

    body: dict[str, Any]
    status: int
    headers: dict[str, str]


class OAuthFlows:
    def __init__(self, deps: FlowDeps, *, consent_url: str) -> None:
        self._deps = deps
        self._consent_url = consent_url

    # -- authorize and consent ------------------------------------------------------------

    def authorize(self, query: str) -> str:
        """Where to send the browser: the consent screen, or back to the client with an error.
        A bad client_id or redirect_uri is answered here (never redirected: RFC 6749 4.1.2.1)."""
        from oauthlib.oauth2.rfc6749 import errors

        endpoint, _ = self._authorization()
        try:
            endpoint.validate_authorization_request(BASE + "authorize?" + query)
        except errors.FatalClientError as exc:
            raise _refusal(exc) from exc
        except errors.OAuth2Error as exc:
            return str(exc.in_uri(exc.redirect_uri))
        return f"{self._consent_url}?{query}"

    def consent_request(self, user: Principal, query: str) -> ConsentRequest:
        """What the consent screen shows: the client's name and the scopes it asks for."""
        _only_people(user)
        scopes, info = self._validated(query)
        client = self._deps.clients.get(info["client_id"])
        assert client is not None
        return ConsentRequest(
            client_id=client.client_id,
            client_name=client.name,
            scopes=sorted(scopes),
            redirect_uri=info["redirect_uri"],
            state=info["state"] or "",
        )

    def decide(self, user: Principal, query: str, *, approve: bool) -> str:
        """The signed-in user's answer; returns the client's redirect URI with a code (approved:
        one-time, bound to client, redirect URI, user, scopes and PKCE challenge) or an error."""
        from oauthlib.common import add_params_to_uri

        _only_people(user)
        scopes, info = self._validated(query)
        if not approve:
            params = [("error", "access_denied"), ("error_description", "the user said no")]
            if info["state"]:
                params.append(("state", info["state"]))
            return str(add_params_to_uri(info["redirect_uri"], params))
        endpoint, _ = self._authorization()
        headers, _, _ = endpoint.create_authorization_response(
            BASE + "authorize?" + query, scopes=scopes, credentials={"user": user.subject_id}
        )
        return str(headers["Location"])

    def _validated(self, query: str) -> tuple[list[str], dict[str, Any]]:
        from oauthlib.oauth2.rfc6749 import errors

        endpoint, _ = self._authorization()
        try:
            scopes, info = endpoint.validate_authorization_request(BASE + "authorize?" + query)
        except errors.OAuth2Error as exc:
            raise _refusal(exc) from exc
        return list(scopes), info

    def _authorization(self) -> tuple[Any, Validator]:
        from oauthlib.oauth2.rfc6749.endpoints.authorization import AuthorizationEndpoint
        from oauthlib.oauth2.rfc6749.tokens import BearerToken

        from chalicelib.services.accounts.oauth_validator import S256CodeGrant, Validator

        validator = Validator(self._deps)
        grant = S256CodeGrant(validator, pre_auth=[_require_state])
        bearer = BearerToken(validator)
        endpoint = AuthorizationEndpoint(
            default_response_type="code",
            default_token_type=bearer,
            response_types={"code": grant},
        )
        return endpoint, validator

    # -- token, revoke, introspect ----------------------------------------------------------

    def token(self, form: dict[str, str], authorization: str | None) -> OAuthAnswer:
        from oauthlib.oauth2.rfc6749 import errors
        from oauthlib.oauth2.rfc6749.endpoints.token import TokenEndpoint
        from oauthlib.oauth2.rfc6749.grant_types.refresh_token import RefreshTokenGrant
        from oauthlib.oauth2.rfc6749.tokens import BearerToken

        from chalicelib.services.accounts.oauth_validator import S256CodeGrant, Validator

        validator = Validator(self._deps)
        bearer = BearerToken(
            validator,
            token_generator=validator.access_token,
            expires_in=int(self._deps.config.access_lifetime.total_seconds()),
            refresh_token_generator=validator.refresh_token,
        )
        endpoint = TokenEndpoint(
            default_grant_type="authorization_code",
            default_token_type=bearer,
            grant_types={
                "authorization_code": S256CodeGrant(validator),
                "refresh_token": RefreshTokenGrant(validator, issue_new_refresh_tokens=True),
            },
        )
        try:
            headers, body, status = endpoint.create_token_response(
                BASE + "token", "POST", urlencode(form), _headers(authorization)
            )
        except errors.OAuth2Error as exc:  # raised while saving (a rotation that lost a race)
            raise _refusal(exc) from exc
        return _answer(headers, body, status)

    def revoke(self, form: dict[str, str], authorization: str | None) -> None:
        """RFC 7009: 200 whatever the token (unknown, expired, someone else's); the client
        must identify itself (authenticate if confidential)."""
        from oauthlib.oauth2.rfc6749.endpoints.revocation import RevocationEndpoint

        from chalicelib.services.accounts.oauth_validator import Validator

        endpoint = RevocationEndpoint(Validator(self._deps))
        headers, body, status = endpoint.create_revocation_response(
            BASE + "revoke", "POST", urlencode(form), _headers(authorization)
        )
        _answer(headers, body or "{}", status)

    def introspect(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        """RFC 7662: `{"active": false}` for anything invalid, expired, revoked or issued to
        another client; only authenticated (confidential) clients may ask."""
        from oauthlib.oauth2.rfc6749.endpoints.introspect import IntrospectEndpoint

        from chalicelib.services.accounts.oauth_validator import Validator

        endpoint = IntrospectEndpoint(Validator(self._deps, strict=True))
        headers, body, status = endpoint.create_introspect_response(
            BASE + "introspect", "POST", urlencode(form), _headers(authorization)
        )
        return _answer(headers, body, status).body


def _only_people(user: Principal) -> None:
    """Consent is a person's decision: never a client's, nor a token a client holds."""
    if user.is_client or user.via_client:
        raise Forbidden(
            "only a signed-in person can answer a consent request", code="client_not_allowed"
        )


def _require_state(request: Any) -> dict[str, Any]:
    """Our rule on top of RFC 6749: `state` is required (CSRF protection for the client)."""
    from oauthlib.oauth2.rfc6749 import errors

    if not request.state or len(request.state) > 512:
        raise errors.InvalidRequestError(
            description="state is required (at most 512 characters)", request=request
        )
    return {}


def _headers(authorization: str | None) -> dict[str, str]:
    return {**FORM, "Authorization": authorization} if authorization else dict(FORM)


def _answer(headers: dict[str, str], body: str, status: int) -> OAuthAnswer:
    parsed: dict[str, Any] = json.loads(body) if body else {}
    if status >= 400:
        raise _refusal_of(str(parsed.get("error", "invalid_request")), parsed, status)
    return OAuthAnswer(parsed, status, {k: str(v) for k, v in headers.items()})


def _refusal(exc: Any) -> DomainError:
    return _refusal_of(str(exc.error), {"error_description": exc.description}, int(exc.status_code))


def _refusal_of(error: str, parsed: dict[str, Any], status: int) -> DomainError:
    """oauthlib's RFC error, in our envelope: `code` is the RFC `error`, and `details` carries
    the RFC pair {error, error_description} (docs/auth.md, "OAuth errors")."""
    description = str(parsed.get("error_description") or error.replace("_", " "))
    kind: type[DomainError] = DomainError  # 400, as RFC 6749 5.2 asks
    if status == 401 or error == "invalid_client":
        kind = NotAuthenticated
    elif status == 403:
        kind = Forbidden
    return oauth_error(error, description, status=kind)
