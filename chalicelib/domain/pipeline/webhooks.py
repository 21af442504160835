"""Webhook rules (pure): subscriptions, who may receive what, signatures, retry schedule.

Signature: `X-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
The timestamp is signed too, so a receiver can refuse old (replayed) deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.pipeline.catalogue import (
    CATALOGUE,
    INTERNAL_EVENT_NAMES,
    WEBHOOK_EVENT_NAMES,
)
from chalicelib.domain.pipeline.events import DomainEvent

ALL_EVENTS = "*"
MAX_URL_LENGTH = 2048
MAX_EVENTS = 50
# After the first attempt: 1 min, 5 min, 15 min, 1 h, 2 h; then the delivery fails.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=2),
)
SIGNATURE_TOLERANCE = timedelta(minutes=5)


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # queued for its next attempt
    SUCCEEDED = "succeeded"
    RETRYING = "retrying"  # failed; another attempt is scheduled
    FAILED = "failed"  # gave up (or could not be sent at all); also in the DLQ


@dataclass(frozen=True)
class Webhook:
    webhook_id: str
    owner_id: str
    url: str
    events: tuple[str, ...]
    active: bool
    created_at: datetime
    updated_at: datetime
    description: str = ""
    version: int = 0

    def wants(self, event_name: str) -> bool:
        return self.active and (ALL_EVENTS in self.events or event_name in self.events)


@dataclass(frozen=True)
class Attempt:
    number: int
    at: datetime
    status_code: int | None
    latency_ms: int
    ok: bool
    error: str = ""
    response_excerpt: str = ""


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    webhook_id: str
    owner_id: str
    event_name: str
    event_id: str
    payload: str  # the exact JSON body sent (and signed)
    status: DeliveryStatus
    created_at: datetime
    attempts: tuple[Attempt, ...] = field(default=())
    next_attempt_at: datetime | None = None
    redelivery_of: str | None = None

    @property
    def attempt_count(self) -> int:
        return len(self.attempts)


def validate_url(raw: str) -> str:
    """An absolute http(s) URL without credentials; private targets are checked at send time."""
    url = raw.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise _bad_url(f"the URL must be 1-{MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _bad_url("the URL is not valid") from exc
    if parts.scheme not in {"http", "https"}:
        raise _bad_url("the URL must start with https:// (or http://)")
    if not parts.hostname:
        raise _bad_url("the URL needs a host")
    if parts.username or parts.password:
        raise _bad_url("credentials in the URL are not allowed; verify the signature instead")
    if parts.fragment:
        raise _bad_url("the URL must not have a #fragment")
    if port == 0:
        raise _bad_url("the URL's port must be 1-65535")
    return url


def _bad_url(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_webhook_url", details={"field": "url"})


def validate_events(raw: list[str]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in raw))
    if not names:
        raise InvalidInput("choose at least one event (or '*')", code="invalid_webhook_events")
    if len(names) > MAX_EVENTS:
        raise InvalidInput(f"at most {MAX_EVENTS} events", code="invalid_webhook_events")
    unknown = [n for n in names if n != ALL_EVENTS and n not in WEBHOOK_EVENT_NAMES]
    if unknown:
        raise InvalidInput(
            "unknown event names",
            code="invalid_webhook_events",
            details={"unknown": unknown, "known": list(WEBHOOK_EVENT_NAMES)},
        )
    return (ALL_EVENTS,) if ALL_EVENTS in names else tuple(sorted(names))


def may_receive(owner_id: str, owner_is_admin: bool, event: DomainEvent) -> bool:
    """A user's webhook learns only what that user may see: their own reservations, public
    catalogue changes; admin-only events go to admins' webhooks."""
    spec = CATALOGUE.get(event.name)
    if spec is None or event.name in INTERNAL_EVENT_NAMES:
        return False
    if owner_is_admin or spec.audience == "public":
        return True
    if spec.audience == "owner":
        return str(event.data.get("user_id") or "") == owner_id
    return False


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance_s: int = 300) -> bool:
    """The receiver's check (also used by our tests): right MAC and a fresh timestamp."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def retry_delay(attempts_made: int) -> timedelta | None:
    """The wait before the next attempt after `attempts_made` failures; None: give up."""
    index = attempts_made - 1
    return RETRY_DELAYS[index] if 0 <= index < len(RETRY_DELAYS) else None


def parse_network(raw: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(raw.strip(), strict=False)
    except ValueError as exc:
        raise InvalidInput(
            "network must be an IP address or CIDR block, e.g. 127.0.0.1/32",
            code="invalid_network",
            details={"field": "network"},
        ) from exc
