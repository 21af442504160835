"""SSRF guard for webhook delivery: resolve the host NOW, refuse non-public addresses.

Every address the name resolves to must be public (not loopback, private, link-local,
carrier-grade NAT, multicast, reserved or unspecified), unless an admin allow-listed it.
IPv6 addresses that carry an IPv4 address (IPv4-mapped, 6to4 `2002::/16`, NAT64
`64:ff9b::/96` and `64:ff9b:1::/48`) are judged by that IPv4 address; Teredo `2001::/32`
tunnels are refused. A refusal names the kind of address, never the address or the host's
DNS answers (they end up in delivery logs that webhook owners read).

The sender then connects to the address that was checked, never resolving again, so a DNS
answer that changes between check and connect (rebinding) cannot redirect the request.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

# Named explicitly (most are also non-global) so the refusal says why.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}


class BlockedDestination(Exception):
    """The URL's host resolves to an address webhooks may not reach."""


@dataclass(frozen=True)
class AllowEntry:
    network: IPNetwork
    port: int | None = None

    def allows(self, address: IPAddress, port: int) -> bool:
        return address in self.network and (self.port is None or self.port == port)


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_TEREDO = ipaddress.ip_network("2001::/32")


def _unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), else the address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def why_refused(address: IPAddress) -> str | None:
    if address in _TEREDO:
        return "a tunnelled (Teredo) address"
    address = _unwrap(address)
    if address in _METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "a reserved address"
    if not address.is_global:
        return "a non-public address"
    return None


def checked_addresses(
    host: str,
    port: int,
    allowlist: Sequence[AllowEntry],
    resolver: Resolver = system_resolver,
) -> list[IPAddress]:
    """The addresses to connect to; raises BlockedDestination if any of them is refused."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    try:
        raw = [str(literal)] if literal is not None else resolver(host, port)
    except OSError as exc:
        raise BlockedDestination("the destination does not resolve") from exc
    addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in raw]
    if not addresses:
        raise BlockedDestination("the destination does not resolve")
    for address in addresses:
        reason = why_refused(address)
        unwrapped = _unwrap(address)
        if reason and not any(e.allows(unwrapped, port) for e in allowlist):
            raise BlockedDestination(f"the destination is {reason}")
    return addresses
