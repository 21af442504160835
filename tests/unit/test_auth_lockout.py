"""Brute-force backoff: free below the threshold, then doubling delays up to a cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.accounts.lockout import (
    LockoutPolicy,
    address_group,
    address_key,
    attempt_key,
    username_key,
)

POLICY = LockoutPolicy(
    max_failures=5,
    window=timedelta(minutes=15),
    base_delay=timedelta(seconds=30),
    max_delay=timedelta(minutes=15),
)
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_no_delay_below_the_threshold() -> None:
    assert POLICY.delay_after(4) == timedelta(0)
    assert POLICY.retry_after(4, T0, T0) == 0


def test_delay_doubles_after_the_threshold_and_is_capped() -> None:
    assert POLICY.delay_after(5) == timedelta(seconds=30)
    assert POLICY.delay_after(6) == timedelta(seconds=60)
    assert POLICY.delay_after(7) == timedelta(seconds=120)
    assert POLICY.delay_after(50) == timedelta(minutes=15)


def test_retry_after_counts_down_from_the_last_failure() -> None:
    assert POLICY.retry_after(5, T0, T0 + timedelta(seconds=10)) == 20
    assert POLICY.retry_after(5, T0, T0 + timedelta(seconds=29, microseconds=1)) == 1
    assert POLICY.retry_after(5, T0, T0 + timedelta(seconds=30)) == 0


def test_the_counter_outlives_the_longest_delay() -> None:
    short_window = LockoutPolicy(window=timedelta(minutes=1), max_delay=timedelta(minutes=10))
    assert short_window.window_end(T0) == T0 + timedelta(minutes=10)


def test_attempt_key_separates_addresses_and_ignores_case() -> None:
    assert attempt_key("Alice", "10.0.0.1") == attempt_key("alice", "10.0.0.1")
    assert attempt_key("alice", "10.0.0.1") != attempt_key("alice", "10.0.0.2")
    assert "10.0.0.1" not in attempt_key("alice", "10.0.0.1")


def test_addresses_are_grouped_ipv6_by_64() -> None:
    assert address_group("203.0.113.9") == "203.0.113.9"
    assert address_group("2001:db8:1:2::1") == address_group("2001:db8:1:2:ffff::9")
    assert address_group("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_group("::ffff:203.0.113.9") == "203.0.113.9"
    assert address_group("not an address") == "not an address"


def test_each_purpose_and_each_limit_has_its_own_counter() -> None:
    keys = {
        attempt_key("carol", "10.0.0.1"),
        attempt_key("carol", "10.0.0.1", "mfa"),
        attempt_key("carol", "10.0.0.1", "password"),
        username_key("carol"),
        address_key("10.0.0.1"),
    }
    assert len(keys) == 5
    assert attempt_key("Carol", "10.0.0.1") == attempt_key("carol", "10.0.0.1")
