"""API rate limits (issue 13): keyed on the verified principal, else the client address.

The suite runs with every limit scaled up (tests/conftest.py); these tests put small or real
limits back, then move the clock past every window, so each starts with empty buckets.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.api.rate_limits import ROUTE_CLASSES
from chalicelib.api.routing import ROUTES
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.ratelimits.policy import DEFAULT_CLASSES
from chalicelib.settings import SettingsError, load_settings
from tests.factories import (
    auth_headers,
    error_code,
    post_form,
    post_json,
    register_and_login,
    user_id_of,
)

ANON_PATH = "/api/versions"  # auth none
USER_PATH = "/api/v1/resources"  # auth user
LIMIT, REMAINING, RESET = "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"


def use_limits(mp: pytest.MonkeyPatch, clock: FrozenClock, **env: str) -> None:
    """Real limits (scale 1) with these overrides, in windows nobody has counted in yet."""
    mp.setenv("RATE_LIMIT_SCALE", "1")
    for name, value in env.items():
        mp.setenv(name, value)
    wiring.rebuild()
    clock.advance(timedelta(minutes=10))


def get(client: Client, path: str, *, token: str | None = None, **headers: str) -> Any:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.http.get(path, headers=headers)


def from_address(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def counter_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = boto3.client("dynamodb").scan(TableName="reserver-rate-limits")[
        "Items"
    ]
    return items


def test_random_bearer_strings_share_the_address_bucket_and_are_refused(
    client: Client, clock: FrozenClock, user_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 3 requests a minute for anonymous callers
    use_limits(monkeypatch, clock, RATE_LIMIT_TIERS="anonymous=3")
    before = {item["PK"]["S"] for item in counter_items()}
    # When one address sends a fresh random Bearer string each time
    answers = [get(client, USER_PATH, token=secrets.token_urlsafe(24)) for _ in range(4)]
    # Then each is counted on the address (3, 2, 1 ... left), refused as 401, then 429
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert [a.headers[REMAINING] for a in answers] == ["2", "1", "0", "0"]
    assert error_code(answers[3]) == "rate_limited"
    # And they made exactly one counter between them, never one per string
    made = [i for i in counter_items() if i["PK"]["S"] not in before]
    assert len(made) == 1 and made[0]["hits"]["N"] == "4"
    # While a verified user from the same address has a bucket of its own
    mine = get(client, USER_PATH, token=user_token)
    assert mine.status_code == 200 and mine.headers[LIMIT] == "600"


def test_anonymous_callers_are_counted_per_address_and_ipv6_per_64(
    client: Client, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one proxy of ours in front (so X-Forwarded-For names the caller) and 2 a minute
    use_limits(monkeypatch, clock, RATE_LIMIT_TIERS="anonymous=2", TRUSTED_PROXY_HOPS="1")
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::2"):
        assert get(client, ANON_PATH, **from_address(host)).status_code == 200
    # When another host of the same /64 asks, Then it is the same bucket
    same_64 = get(client, ANON_PATH, **from_address("2001:db8:1:2:ffff::9"))
    assert same_64.status_code == 429
    # And another /64, or an IPv4 address, is not held back by it
    assert get(client, ANON_PATH, **from_address("2001:db8:1:3::1")).status_code == 200
    assert get(client, ANON_PATH, **from_address("198.51.100.1")).status_code == 200
    assert get(client, ANON_PATH, **from_address("198.51.100.2")).status_code == 200


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(
    client: Client, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no trusted proxy (the default) and 2 a minute
    use_limits(monkeypatch, clock, RATE_LIMIT_TIERS="anonymous=2")
    # When a caller invents a new X-Forwarded-For for every request
    codes = [get(client, ANON_PATH, **from_address(f"203.0.113.{n}")).status_code for n in range(3)]
    # Then the gateway's own source address is what counts: the third is refused
    assert codes == [200, 200, 429]


def test_each_user_has_the_tier_of_their_role(
    client: Client,
    clock: FrozenClock,
    user_token: str,
    other_user_token: str,
    admin_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given users get 3 a minute, admins 5
    use_limits(monkeypatch, clock, RATE_LIMIT_TIERS="user=3,admin=5")
    # When alice spends hers
    codes = [get(client, USER_PATH, token=user_token).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Then bob (same address) still has all of his, and the admin has the admin tier
    bob = get(client, USER_PATH, token=other_user_token)
    assert (bob.status_code, bob.headers[LIMIT], bob.headers[REMAINING]) == (200, "3", "2")
    assert get(client, USER_PATH, token=admin_token).headers[LIMIT] == "5"


def test_an_operator_can_pin_a_user_to_a_tier(
    client: Client, clock: FrozenClock, user_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = user_id_of(client, user_token)
    use_limits(
        monkeypatch,
        clock,
        RATE_LIMIT_TIERS="user=3,partner=50",
        RATE_LIMIT_SUBJECT_TIERS=f"{alice}=partner",
    )
    assert get(client, USER_PATH, token=user_token).headers[LIMIT] == "50"


def test_a_route_class_is_stricter_than_the_general_bucket_with_the_real_limits(
    client: Client, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the shipped limits (scale 1, nothing overridden): 30 sign-ins per 5 minutes
    use_limits(monkeypatch, clock)
    # When one address tries 30 sign-ins (different names: the attempt gate stays out of it)
    for n in range(30):
        answer = post_json(client, "/api/v1/token", {"username": f"u{n}", "password": "x"})
        assert answer.status_code == 401, answer.body
        assert answer.headers[LIMIT] == "30"
    # Then the 31st is refused by the auth class ...
    refused = post_json(client, "/api/v1/token", {"username": "u99", "password": "x"})
    assert refused.status_code == 429
    assert refused.json_body["error"]["details"]["route_class"] == "auth"
    # ... while the address's general bucket (120 a minute) is untouched
    general = get(client, ANON_PATH)
    assert (general.status_code, general.headers[LIMIT], general.headers[REMAINING]) == (
        200,
        "120",
        "119",
    )


def test_a_429_carries_retry_after_headers_and_the_error_body(
    client: Client, clock: FrozenClock, user_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_limits(monkeypatch, clock, RATE_LIMIT_TIERS="user=2")
    first = get(client, USER_PATH, token=user_token)
    get(client, USER_PATH, token=user_token)
    # When the third request comes in the same window
    refused = get(client, USER_PATH, token=user_token)
    # Then: 429, the house error body, and when to come back (consistently)
    assert refused.status_code == 429
    error = refused.json_body["error"]
    assert error["code"] == "rate_limited"
    assert "at most 2 per 60 s" in error["message"]
    details = error["details"]
    assert details["limit"] == 2 and details["route_class"] == "all"
    retry = int(refused.headers["Retry-After"])
    assert retry == details["retry_after"]
    now = int(clock.now().timestamp())
    reset = int(refused.headers[RESET])
    assert 0 < retry <= 60 and reset - now == retry
    assert reset == int(first.headers[RESET])
    assert (refused.headers[LIMIT], refused.headers[REMAINING]) == ("2", "0")
    # And once Retry-After has passed, the caller is served again
    clock.advance(timedelta(seconds=retry))
    again = get(client, USER_PATH, token=user_token)
    assert again.status_code == 200 and again.headers[REMAINING] == "1"


def test_every_answer_carries_the_headers(
    client: Client, clock: FrozenClock, user_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_limits(monkeypatch, clock, RATE_LIMIT_TIERS="user=10,anonymous=10")
    answers = {
        "ok": get(client, USER_PATH, token=user_token),
        "not found (ours)": get(client, "/api/v1/resources/nope", token=user_token),
        "forbidden": post_json(client, "/api/v1/resources", {"name": "x"}, user_token),
        "validation": post_json(client, "/api/v1/reservations", {}, user_token),
        "no credential": get(client, USER_PATH),
        "unsupported type (Chalice's)": client.http.post(
            "/api/v1/register", headers={"Content-Type": "text/plain"}, body=b"x"
        ),
        "too large": client.http.post(
            "/api/v1/register", headers=auth_headers("x"), body=b"x" * 1_100_000
        ),
    }
    expected = {
        "ok": 200,
        "not found (ours)": 404,
        "forbidden": 403,
        "validation": 422,
        "no credential": 401,
        "too large": 413,
        "unsupported type (Chalice's)": 415,
    }
    for name, answer in answers.items():
        assert answer.status_code == expected.get(name, answer.status_code), name
        assert {LIMIT, REMAINING, RESET} <= set(answer.headers), name
        assert int(answer.headers[RESET]) > clock.now().timestamp(), name


@pytest.mark.parametrize(
    "env",
    [
        {"RATE_LIMIT_TIERS": "user"},
        {"RATE_LIMIT_TIERS": "user=0"},
        {"RATE_LIMIT_TIERS": "user=lots"},
        {"RATE_LIMIT_TIERS": "Bad Name=5"},
        {"RATE_LIMIT_CLASSES": "auth=10"},
        {"RATE_LIMIT_CLASSES": "nosuch=10/60"},
        {"RATE_LIMIT_CLASSES": "auth=10/0"},
        {"RATE_LIMIT_SUBJECT_TIERS": "01ABC=nosuchtier"},
        {"RATE_LIMIT_SUBJECT_TIERS": "01ABC=anonymous"},
        {"RATE_LIMIT_SCALE": "0"},
        {"RATE_LIMIT_WINDOW_SECONDS": "0"},
        {"TRUSTED_PROXY_HOPS": "-1"},
        {"RATE_LIMIT_ENABLED": "maybe"},
    ],
)
def test_bad_rate_limit_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        load_settings({"STAGE": "test", **env})


def test_an_oauth_client_has_the_client_tier_or_its_own(
    client: Client, clock: FrozenClock, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"name": "robot", "scopes": ["resources:read"]}
    created = post_json(client, "/api/v1/oauth/clients", body, admin_token).json_body

    def client_call() -> Any:
        fields = {
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        }
        token = post_form(client, "/api/v1/oauth/token", fields).json_body["access_token"]
        return get(client, USER_PATH, token=token)

    use_limits(monkeypatch, clock, RATE_LIMIT_TIERS="client=7")
    assert client_call().headers[LIMIT] == "7"
    use_limits(
        monkeypatch,
        clock,
        RATE_LIMIT_TIERS="client=7,partner=70",
        RATE_LIMIT_SUBJECT_TIERS=f"{created['client_id']}=partner",
    )
    assert client_call().headers[LIMIT] == "70"


def test_switched_off_there_is_no_counting_and_no_header(
    client: Client, clock: FrozenClock, user_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_limits(monkeypatch, clock, RATE_LIMIT_TIERS="user=1", RATE_LIMIT_ENABLED="false")
    answers = [get(client, USER_PATH, token=user_token) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert LIMIT not in answers[0].headers


def test_every_classed_route_exists_and_its_class_is_defined(client: Client) -> None:
    routes = {(spec.method, spec.path) for spec in ROUTES}
    assert set(ROUTE_CLASSES) <= routes
    assert set(ROUTE_CLASSES.values()) <= set(DEFAULT_CLASSES)


def test_register_is_in_the_auth_class(
    client: Client, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 2 sign-ups per 5 minutes, When one address registers 3 accounts
    use_limits(monkeypatch, clock, RATE_LIMIT_CLASSES="auth=2/300")
    bodies = [{"username": f"new{n}", "password": "Long-password-1"} for n in range(3)]
    codes = [post_json(client, "/api/v1/register", b).status_code for b in bodies]
    # Then the third is refused before anything is created
    assert codes == [201, 201, 429]
    clock.advance(timedelta(minutes=5))
    assert register_and_login(client, "new2")
