"""Opaque cursors around DynamoDB's LastEvaluatedKey.

Encrypted and authenticated (AES-GCM, the listing's scope as associated data): a client can
neither read the key (it may hold other users' reservation ids, as a schedule's does) nor
hand us a start key from another partition or listing. A tampered or stale cursor is a 422,
never a 500.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chalicelib.domain.errors import InvalidInput

_NONCE_BYTES = 12


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(("cursor:" + secret).encode()).digest())

    def encode(self, last_key: dict[str, Any] | None, *, scope: str = "") -> str | None:
        if not last_key:
            return None
        payload = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
        nonce = os.urandom(_NONCE_BYTES)
        return _b64(nonce + self._aead.encrypt(nonce, payload, scope.encode()))

    def decode(self, cursor: str | None, *, scope: str = "") -> dict[str, Any] | None:
        if not cursor:
            return None
        try:
            raw = _unb64(cursor)
            payload = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], scope.encode())
        except (ValueError, InvalidTag) as exc:
            raise _bad_cursor() from exc
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
