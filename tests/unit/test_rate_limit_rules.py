"""The pure parts of the API rate limits (issue 13): windows, keys, addresses, the policy."""

from __future__ import annotations

import pytest

from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.ratelimits.policy import (
    DEFAULT_CLASSES,
    Limit,
    PolicyError,
    parse_policy,
)
from chalicelib.domain.ratelimits.windows import (
    LimitState,
    bucket_key,
    client_address,
    identity_of,
    window_at,
)


def user(*roles: Role, subject: str = "01USER") -> Principal:
    return Principal(subject_id=subject, username="u", roles=frozenset(roles))


CLIENT = Principal(subject_id="rrc_robot", username="robot", roles=frozenset(), is_client=True)


# --- windows ---------------------------------------------------------------------------


@pytest.mark.parametrize("now", [0.0, 59.999, 60.0, 1_764_000_000.5, 1_764_000_059.0])
@pytest.mark.parametrize("seconds", [1, 60, 300])
def test_the_window_holds_now_and_has_the_configured_length(now: float, seconds: int) -> None:
    window = window_at(now, seconds, "some-bucket")
    assert window.start <= now < window.end
    assert window.end - window.start == seconds


def test_every_moment_of_a_window_maps_to_the_same_window() -> None:
    first = window_at(1_764_000_000, 60, "k")
    inside = [window_at(t, 60, "k") for t in range(first.start, first.end)]
    assert set(inside) == {first}
    assert window_at(first.end, 60, "k").start == first.end


def test_windows_are_offset_per_bucket_so_callers_do_not_all_reset_together() -> None:
    starts = {window_at(1_764_000_000, 60, f"bucket-{n}").start % 60 for n in range(50)}
    assert len(starts) > 10


@pytest.mark.parametrize(
    ("limit", "used", "allowed", "remaining"),
    [(3, 1, True, 2), (3, 3, True, 0), (3, 4, False, 0), (1, 100, False, 0)],
)
def test_the_state_of_a_bucket(limit: int, used: int, allowed: bool, remaining: int) -> None:
    state = LimitState(limit, used, reset_at=1060, now=1000.2)
    assert (state.allowed, state.remaining) == (allowed, remaining)
    assert state.retry_after == 60  # rounded up, so a client never comes back too early


def test_retry_after_is_at_least_a_second() -> None:
    assert LimitState(1, 2, reset_at=1000, now=999.99).retry_after == 1


# --- keys ------------------------------------------------------------------------------


def test_a_verified_caller_is_counted_on_its_id_not_its_address() -> None:
    at_home = identity_of(user(Role.USER), "198.51.100.1")
    at_work = identity_of(user(Role.USER), "203.0.113.7")
    assert at_home == at_work == "user|01USER"
    assert identity_of(CLIENT, "198.51.100.1") == "client|rrc_robot"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", True),
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("198.51.100.1", "198.51.100.2", False),
        ("::ffff:198.51.100.1", "198.51.100.1", True),
    ],
)
def test_addresses_are_grouped_ipv6_by_64(a: str, b: str, same: bool) -> None:
    assert (identity_of(None, a) == identity_of(None, b)) is same


def test_bucket_keys_hide_the_address_and_separate_the_classes() -> None:
    identity = identity_of(None, "198.51.100.1")
    general, auth = bucket_key(identity, "all"), bucket_key(identity, "auth")
    assert general != auth
    assert "198.51.100" not in general and general.endswith("|all")


@pytest.mark.parametrize(
    ("forwarded", "hops", "expected"),
    [
        ("203.0.113.9", 0, "10.0.0.1"),  # no trusted proxy: the header is ignored
        ("203.0.113.9", 1, "203.0.113.9"),
        ("198.51.100.4, 203.0.113.9", 1, "203.0.113.9"),  # only the last hop is ours
        ("198.51.100.4, 203.0.113.9", 2, "198.51.100.4"),
        ("203.0.113.9, 10.0.0.1", 1, "203.0.113.9"),  # the gateway's own append is dropped
        ("", 1, "10.0.0.1"),
        ("203.0.113.9", 2, "10.0.0.1"),  # fewer hops than promised: not believed
    ],
)
def test_the_client_address(forwarded: str, hops: int, expected: str) -> None:
    assert client_address("10.0.0.1", forwarded, hops) == expected


# --- policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "tier"),
    [
        (None, "anonymous"),
        (user(Role.GUEST), "guest"),
        (user(), "guest"),  # stripped of every role
        (user(Role.USER), "user"),
        (user(Role.USER, Role.ADMIN), "admin"),
        (CLIENT, "client"),
    ],
)
def test_the_tier_of_a_caller(principal: Principal | None, tier: str) -> None:
    assert parse_policy(window_seconds=60).tier_of(principal) == tier


def test_settings_merge_onto_the_defaults_and_pin_subjects() -> None:
    policy = parse_policy(
        window_seconds=30,
        tiers="user=10,partner=99",
        classes="auth=3/900",
        subjects="rrc_robot=partner,01USER=partner",
    )
    assert policy.limit_for(None, user(Role.USER, subject="01OTHER")) == Limit(10, 30)
    assert policy.limit_for(None, CLIENT) == Limit(99, 30)
    assert policy.limit_for(None, user(Role.USER)) == Limit(99, 30)
    assert policy.limit_for("auth", CLIENT) == Limit(3, 900)
    assert policy.limit_for("bulk", None) == DEFAULT_CLASSES["bulk"]


def test_scale_multiplies_every_count_but_no_window() -> None:
    policy = parse_policy(window_seconds=60, tiers="user=10", scale=100)
    assert policy.limit_for(None, user(Role.USER)) == Limit(1000, 60)
    auth = DEFAULT_CLASSES["auth"]
    assert policy.limit_for("auth", None) == Limit(auth.requests * 100, auth.window_seconds)


@pytest.mark.parametrize(
    "bad",
    [
        {"tiers": "user"},
        {"tiers": "user=-1"},
        {"tiers": "=5"},
        {"classes": "auth=5/"},
        {"classes": "auth=5/100000"},
        {"classes": "bogus=5/60"},
        {"subjects": "01USER=gold"},
        {"subjects": "not an id=user"},
        {"scale": 0},
    ],
)
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(PolicyError):
        parse_policy(window_seconds=60, **bad)  # type: ignore[arg-type]
