"""The webhook SSRF guard (security finding 9): IPv6 addresses that embed an IPv4 address are
judged by it, tunnels are refused, and a refusal names no address or DNS answer."""

from __future__ import annotations

import ipaddress

import pytest

from chalicelib.integrations.ssrf import BlockedDestination, checked_addresses, why_refused


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata address
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::c0a8:101",  # local-use NAT64 of 192.168.1.1
        "::ffff:10.0.0.1",  # IPv4-mapped
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    ],
)
def test_ipv6_carrying_a_non_public_ipv4_is_refused(address: str) -> None:
    assert why_refused(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["2002:808:808::1", "64:ff9b::808:808", "2606:4700::1111"])
def test_ipv6_carrying_a_public_ipv4_passes(address: str) -> None:
    assert why_refused(ipaddress.ip_address(address)) is None


def test_a_refusal_names_no_address_or_host() -> None:
    def internal(host: str, port: int) -> list[str]:
        return ["10.20.30.40"]

    with pytest.raises(BlockedDestination) as refused:
        checked_addresses("hooks.internal.example", 443, [], resolver=internal)
    message = str(refused.value)
    assert "10.20.30.40" not in message and "internal.example" not in message
    assert "private" in message
