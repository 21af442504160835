"""The local stack exposes nothing beyond the loopback, and no web page can read it.

Issue 9, finding 1: DynamoDB Local listened on every interface (no auth: scan the table, make
yourself admin), and it and moto answered any web origin with CORS. Here the listening
sockets of every process the stack started are read from /proc and must all be loopback;
browser-shaped requests (an `Origin`, a rebound `Host`) must get nothing readable.
"""

from __future__ import annotations

import ipaddress
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from infra.local.stack import RunningStack

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux /proc"),
]

_LISTEN = "0A"
EVIL = "http://evil.example"


def _descendants(roots: set[int]) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = set(roots)
    grew = True
    while grew:
        more = {pid for pid, ppid in parents.items() if ppid in found} - found
        found |= more
        grew = bool(more)
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _address(hex_address: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        return ipaddress.IPv4Address(raw[::-1]), int(port, 16)
    # /proc prints IPv6 as four host-order 32-bit words.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return ipaddress.IPv6Address(words), int(port, 16)


def _listeners() -> dict[str, tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]]:
    """inode -> (address, port) of every listening TCP socket on the machine."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == _LISTEN:
                found[fields[9]] = _address(fields[1])
    return found


def _is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def test_every_listener_of_the_stack_is_on_the_loopback(stack: RunningStack) -> None:
    # Given every process the stack started (and anything they started)
    pids = _descendants({child.pid for child in stack.children})
    listeners = _listeners()
    # When their listening sockets are looked up by inode
    ours = {
        (child_pid, listeners[inode])
        for child_pid in pids
        for inode in _socket_inodes(child_pid)
        if inode in listeners
    }
    # Then DynamoDB Local (not a moto fallback) is among them, on its port
    dynamodb = stack.child("dynamodb")
    assert "java" in Path(dynamodb.argv[0]).name
    ddb_port = stack.config.ports.dynamodb
    assert any(pid == dynamodb.pid and port == ddb_port for pid, (_, port) in ours), ours
    # ...every port the stack serves is listened on
    assert {port for _, (_, port) in ours} >= set(stack.config.ports.as_dict().values())
    # ...and not one of them is reachable beyond the loopback
    exposed = [(pid, str(addr), port) for pid, (addr, port) in ours if not _is_loopback(addr)]
    assert not exposed


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _list_tables(stack: RunningStack, **extra: str) -> tuple[int, dict[str, str], bytes]:
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0"
        ),
        **extra,
    }
    return _post(stack.dynamodb_url, b"{}", headers)


def test_dynamodb_local_gives_no_web_origin_a_readable_answer(stack: RunningStack) -> None:
    # Given the stack's DynamoDB Local answers a plain client
    status, _, body = _list_tables(stack)
    assert status == 200
    assert "TableNames" in json.loads(body)
    # When a web page's origin asks, for real or in a preflight
    _, headers, _ = _list_tables(stack, Origin=EVIL)
    preflight = urllib.request.Request(
        stack.dynamodb_url,
        method="OPTIONS",
        headers={
            "Origin": EVIL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target,authorization",
        },
    )
    try:
        with urllib.request.urlopen(preflight, timeout=5) as response:
            preflight_headers = dict(response.headers)
    except urllib.error.HTTPError as error:
        preflight_headers = dict(error.headers)
    # Then neither answer lets the browser read it
    for answer in (headers, preflight_headers):
        assert not {k.lower() for k in answer} & {"access-control-allow-origin"}, answer


def test_dynamodb_local_refuses_web_pages_and_rebound_hosts(stack: RunningStack) -> None:
    # When a page's fetch (with its Origin) or a DNS-rebound name (same-origin to the page) asks
    page_status, _, page_body = _list_tables(stack, Origin=EVIL)
    rebound = f"evil.example:{stack.config.ports.dynamodb}"
    rebound_status, _, rebound_body = _list_tables(stack, Host=rebound)
    # Then both are refused before DynamoDB Local answers anything
    assert page_status == 403
    assert rebound_status == 403
    assert b"TableNames" not in page_body + rebound_body


@pytest.mark.parametrize("path", ["/moto-api/data.json", "/"])
def test_moto_refuses_web_pages_and_rebound_hosts(stack: RunningStack, path: str) -> None:
    url = f"{stack.aws_url}{path}"
    form = b"Action=ListQueues&Version=2012-11-05"
    plain = {"Content-Type": "application/x-www-form-urlencoded"}
    # When a web page posts (the browser adds its Origin), or a rebound name reaches it
    page_status, page_headers, _ = _post(url, form, {**plain, "Origin": EVIL})
    rebound_status, _, _ = _post(
        url, form, {**plain, "Host": f"evil.example:{stack.config.ports.moto}"}
    )
    # Then both are refused, with nothing a browser may read
    assert page_status == 403
    assert "access-control-allow-origin" not in {k.lower() for k in page_headers}
    assert rebound_status == 403


def test_moto_still_serves_plain_clients_without_global_cors(stack: RunningStack) -> None:
    # When a boto-shaped request (no Origin, loopback Host) reads the sent-mail store
    with urllib.request.urlopen(f"{stack.aws_url}/moto-api/data.json", timeout=5) as response:
        headers = {k.lower() for k in response.headers}
        # Then it works, and carries no wildcard CORS header
        assert response.status == 200
    assert "access-control-allow-origin" not in headers
