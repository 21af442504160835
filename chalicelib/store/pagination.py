"""Opaque, signed cursors around DynamoDB's LastEvaluatedKey.

Signed so a client cannot hand us a start key from another partition; a tampered or stale
cursor is a 422, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from chalicelib.domain.errors import InvalidInput

_SIG_BYTES = 12


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("cursor:" + secret).encode()).digest()

    def encode(self, last_key: dict[str, Any] | None, *, scope: str = "") -> str | None:
        if not last_key:
            return None
        payload = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
        sig = hmac.new(self._key, scope.encode() + b"|" + payload, hashlib.sha256).digest()
        return _b64(sig[:_SIG_BYTES] + payload)

    def decode(self, cursor: str | None, *, scope: str = "") -> dict[str, Any] | None:
        if not cursor:
            return None
        try:
            raw = _unb64(cursor)
        except ValueError as exc:
            raise _bad_cursor() from exc
        sig, payload = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
        expected = hmac.new(self._key, scope.encode() + b"|" + payload, hashlib.sha256).digest()
        if not hmac.compare_digest(sig, expected[:_SIG_BYTES]):
            raise _bad_cursor()
        try:
            value = json.loads(payload)
        except ValueError as exc:
            raise _bad_cursor() from exc
        if not isinstance(value, dict):
            raise _bad_cursor()
        return value


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "the cursor is not valid for this listing; start again without it",
        code="invalid_cursor",
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
