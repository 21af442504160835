"""The rules of an OAuth client's registration (pure): grant types and redirect URIs."""

from __future__ import annotations

import pytest

from chalicelib.domain.accounts.oauth_clients import check_grant_types, check_redirect_uris
from chalicelib.domain.errors import InvalidInput

CODE = frozenset({"authorization_code"})


@pytest.mark.parametrize(
    "uri",
    [
        "https://app.example.com/cb",
        "http://127.0.0.1:8765/callback",
        "http://localhost/cb",
        "http://[::1]:9000/cb",
        "https://app.example.com:8443/oauth/callback?tenant=1",
    ],
)
def test_https_and_loopback_redirects_are_accepted(uri: str) -> None:
    assert check_redirect_uris([uri], CODE) == (uri,)


@pytest.mark.parametrize(
    "uri",
    [
        "http://app.example.com/cb",  # plain http off the loopback
        "https://app.example.com/cb#x",  # a fragment
        "https:///nohost",
        "javascript:alert(1)",
        "/relative",
        "http://127.0.0.1.evil.example/cb",
    ],
)
def test_other_redirects_are_refused(uri: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_redirect_uris([uri], CODE)
    assert refused.value.code == "invalid_redirect_uri"


def test_the_code_flow_needs_a_redirect_but_client_credentials_does_not() -> None:
    with pytest.raises(InvalidInput):
        check_redirect_uris([], CODE)
    assert check_redirect_uris([], frozenset({"client_credentials"})) == ()


def test_duplicates_are_kept_once_in_order() -> None:
    uris = ["https://a.example/cb", "https://b.example/cb", "https://a.example/cb"]
    assert check_redirect_uris(uris, CODE) == ("https://a.example/cb", "https://b.example/cb")


@pytest.mark.parametrize(
    ("grants", "public"),
    [
        (["password"], False),
        ([], False),
        (["refresh_token"], False),
        (["client_credentials"], True),
        (["authorization_code", "client_credentials"], True),
    ],
)
def test_bad_grant_combinations_are_refused(grants: list[str], public: bool) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_grant_types(grants, public=public)
    assert refused.value.code == "invalid_grant_type"


def test_a_public_client_may_use_the_code_flow_and_refresh() -> None:
    chosen = check_grant_types(["authorization_code", "refresh_token"], public=True)
    assert chosen == {"authorization_code", "refresh_token"}
