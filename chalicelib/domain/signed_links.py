"""Signed, expiring links that name one object for one purpose (a check-in link today).

A token is `<subject>.<expiry, base 36 epoch seconds>.<MAC>`: short enough for a QR code and a
URL path segment (a JWT would not fit the 128-character path limit). The MAC is HMAC-SHA256,
truncated to 128 bits, under a key derived from the app secret AND the purpose, so a token made
for one purpose is never accepted for another. A link only identifies: what it lets the holder
do is decided by the service that reads it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime

from chalicelib.domain.errors import Gone, NotFound
from chalicelib.domain.timeutil import epoch_seconds

_SUBJECT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAC_CHARS = 22  # 128 bits, base64url without padding
MAX_TOKEN_LENGTH = 64 + 1 + 13 + 1 + _MAC_CHARS


class SignedLinks:
    def __init__(self, secret: str, purpose: str) -> None:
        self._key = hmac.new(secret.encode(), f"link:{purpose}".encode(), hashlib.sha256).digest()

    def issue(self, subject: str, expires_at: datetime) -> str:
        if not _SUBJECT.match(subject):
            raise ValueError("a link subject is an id: letters, digits, '-' and '_'")
        expiry = _base36(epoch_seconds(expires_at))
        return f"{subject}.{expiry}.{self._mac(subject, expiry)}"

    def read(self, token: str, now: datetime) -> str:
        """The subject of a valid link; 404 `invalid_link` if forged or malformed, 410
        `link_expired` once it has expired."""
        parts = token.split(".") if len(token) <= MAX_TOKEN_LENGTH else []
        if len(parts) != 3 or not _SUBJECT.match(parts[0]):
            raise _invalid()
        subject, expiry, mac = parts
        if not hmac.compare_digest(mac, self._mac(subject, expiry)):
            raise _invalid()
        try:
            expires = int(expiry, 36)
        except ValueError:
            raise _invalid() from None
        if epoch_seconds(now) >= expires:
            raise Gone("this link has expired", code="link_expired")
        return subject

    def _mac(self, subject: str, expiry: str) -> str:
        digest = hmac.new(self._key, f"{subject}.{expiry}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]


def _base36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while value:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
    return out or "0"


def _invalid() -> NotFound:
    return NotFound("this link is not valid", code="invalid_link")
