"""Webhook rules: URLs, event filters, audiences, signatures, retry schedule, SSRF guard."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.pipeline.webhooks import (
    RETRY_DELAYS,
    may_receive,
    retry_delay,
    sign,
    validate_events,
    validate_url,
    verify,
)
from chalicelib.integrations.ssrf import AllowEntry, BlockedDestination, checked_addresses
from tests.unit.event_factories import OWNER, event

# ---------------------------------------------------------------- subscriptions


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "example.com/hook",
        "https://",
        "https://user:pw@example.com/",
        "https://example.com/#frag",
        "https://example.com:0/",
        "https://example.com:99999/",
        "",
        "https://example.com/" + "a" * 2100,
    ],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        validate_url(url)


def test_good_urls_pass_unchanged() -> None:
    assert validate_url(" https://hooks.example.com/a?b=1 ") == "https://hooks.example.com/a?b=1"
    assert validate_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"


def test_event_filters_are_checked_and_normalised() -> None:
    assert validate_events(["reservation.created", "reservation.created"]) == (
        "reservation.created",
    )
    assert validate_events(["reservation.created", "*"]) == ("*",)
    for bad in ([], ["nope.never"], ["audit.change"], ["reservation.reminder_due"]):
        with pytest.raises(InvalidInput):
            validate_events(bad)


def test_users_only_hear_about_their_own_reservations() -> None:
    own = event("reservation.created")
    assert may_receive(OWNER, False, own)
    assert not may_receive("someone-else", False, own)
    assert may_receive("an-admin", True, own)
    catalogue_change = event("resource.created")
    assert may_receive("someone-else", False, catalogue_change)
    signup = event("user.created")
    assert not may_receive("someone-else", False, signup)
    assert may_receive("an-admin", True, signup)


# ---------------------------------------------------------------- signatures and retries


def test_signature_verifies_and_binds_body_and_time() -> None:
    header = sign("whsec_x", 1_700_000_000, b'{"a":1}')
    assert header.startswith("t=1700000000,v1=")
    assert verify("whsec_x", header, b'{"a":1}', now=1_700_000_010)
    assert not verify("whsec_x", header, b'{"a":2}', now=1_700_000_010)
    assert not verify("whsec_y", header, b'{"a":1}', now=1_700_000_010)
    assert not verify("whsec_x", header, b'{"a":1}', now=1_700_000_000 + 3600)
    assert not verify("whsec_x", "garbage", b'{"a":1}', now=1_700_000_000)


def test_retry_schedule_is_1m_5m_15m_1h_2h_then_give_up() -> None:
    assert [retry_delay(n) for n in range(1, 6)] == list(RETRY_DELAYS)
    assert (
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(hours=1),
        timedelta(hours=2),
    ) == RETRY_DELAYS
    assert retry_delay(6) is None
    assert retry_delay(0) is None


# ---------------------------------------------------------------- SSRF


def resolver(*answers: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(answers)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(BlockedDestination):
        checked_addresses("hooks.example.com", 443, [], resolver(address))


def test_ip_literals_are_checked_without_dns() -> None:
    with pytest.raises(BlockedDestination):
        checked_addresses("127.0.0.1", 80, [], resolver("93.184.216.34"))
    with pytest.raises(BlockedDestination):
        checked_addresses("[::1]", 80, [], resolver("93.184.216.34"))


def test_one_private_answer_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(BlockedDestination):
        checked_addresses("rebind.example.com", 443, [], resolver("93.184.216.34", "10.0.0.5"))


def test_public_addresses_pass() -> None:
    found = checked_addresses("hooks.example.com", 443, [], resolver("93.184.216.34"))
    assert found == [ipaddress.ip_address("93.184.216.34")]


def test_the_allow_list_opens_exactly_what_it_names() -> None:
    loopback = AllowEntry(ipaddress.ip_network("127.0.0.1/32"), port=8080)
    assert checked_addresses("127.0.0.1", 8080, [loopback], resolver())
    with pytest.raises(BlockedDestination):
        checked_addresses("127.0.0.1", 8081, [loopback], resolver())
    with pytest.raises(BlockedDestination):
        checked_addresses("10.0.0.1", 8080, [loopback], resolver())


def test_unresolvable_hosts_are_refused() -> None:
    def failing(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(BlockedDestination):
        checked_addresses("nope.invalid", 443, [], failing)
