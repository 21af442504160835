"""POST a signed webhook: SSRF-checked address, 5 s budget, no redirects, bounded read.

The connection goes to the IP address the guard approved (`integrations.ssrf`), with the
original host name in the `Host` header and, for HTTPS, in SNI and certificate checks. The
allow-list entries come with each send: only those naming this webhook or its owner apply.

What lands in `SendResult.error` is shown to the webhook's owner in the delivery log, so it
never carries an address, a DNS answer or a library message that quotes one: a refusal is one
generic sentence (whether the name did not resolve or resolved to a private address would
tell a user what the server's internal DNS knows), a failed connection says only what kind
of failure it was. The precise reason goes to our own log.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError

from chalicelib.integrations.ssrf import (
    AllowEntry,
    BlockedDestination,
    Resolver,
    checked_addresses,
    system_resolver,
)
from chalicelib.observability import logger

TIMEOUT_S = 5.0
EXCERPT_BYTES = 1024
USER_AGENT = "ResourceReserver-Webhooks/1.0"


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    latency_ms: int
    ok: bool
    error: str = ""
    excerpt: str = ""
    blocked: bool = False  # refused before any connection (SSRF guard)


REFUSED = "blocked: the destination is not a public address this webhook may reach"


class WebhookSender(Protocol):
    def send(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        allowed: Sequence[AllowEntry] = (),
    ) -> SendResult: ...


class HttpWebhookSender:
    def __init__(
        self, *, resolver: Resolver = system_resolver, timeout_s: float = TIMEOUT_S
    ) -> None:
        self._resolver = resolver
        self._timeout_s = timeout_s

    def send(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        allowed: Sequence[AllowEntry] = (),
    ) -> SendResult:
        parts = urlsplit(url)
        host = parts.hostname or ""
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        try:
            address = checked_addresses(host, port, allowed, self._resolver)[0]
        except BlockedDestination as exc:
            logger.info("webhook destination refused", extra={"reason": str(exc)})
            return SendResult(None, 0, False, error=REFUSED, blocked=True)
        default_port = port == (443 if https else 80)
        request_headers = {
            **headers,
            "Host": host if default_port else f"{host}:{port}",
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
        }
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        started = time.monotonic()
        try:
            pool = self._pool(str(address), port, host, https)
            response = pool.urlopen(
                "POST",
                path,
                body=body,
                headers=request_headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            excerpt = self._read_excerpt(response, started)
            response.close()
        except (HTTPError, OSError, ssl.SSLError) as exc:
            return SendResult(None, _ms(started), False, error=_describe(exc))
        status = int(response.status)
        return SendResult(status, _ms(started), 200 <= status < 300, excerpt=excerpt)

    def _pool(self, address: str, port: int, host: str, https: bool) -> urllib3.HTTPConnectionPool:
        timeout = urllib3.Timeout(total=self._timeout_s)
        if not https:
            return urllib3.HTTPConnectionPool(address, port, timeout=timeout, maxsize=1)
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ssl_context=ssl.create_default_context(),
        )

    def _read_excerpt(self, response: urllib3.BaseHTTPResponse, started: float) -> str:
        """At most EXCERPT_BYTES, and never past the time budget (a slow drip stops here)."""
        chunks: list[bytes] = []
        size = 0
        while size < EXCERPT_BYTES and time.monotonic() - started < self._timeout_s:
            chunk = response.read(min(256, EXCERPT_BYTES - size), decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks).decode("utf-8", errors="replace")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(exc: Exception) -> str:
    """The kind of failure, in words that quote nothing (urllib3's messages name the address)."""
    logger.info("webhook connection failed", extra={"error": f"{type(exc).__name__}: {exc}"})
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # a subclass of a timeout
        return "Connection: the destination could not be reached"
    if isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError):
        return "Timeout: no answer within the time budget"
    if isinstance(exc, ssl.SSLError | urllib3.exceptions.SSLError):
        return "TLS: the secure connection could not be established"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return "Protocol: the answer was not valid HTTP"
    return "Connection: the destination could not be reached"
