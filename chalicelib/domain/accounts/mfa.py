"""TOTP (RFC 6238 via pyotp) and one-time backup codes: pure rules, time passed in."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp

BACKUP_CODE_COUNT = 10
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed by hand
_BACKUP_HALF = 5
_BACKUP_CODE = re.compile(rf"^[{_BACKUP_ALPHABET}]{{{_BACKUP_HALF * 2}}}$")
_TOTP_CODE = re.compile(r"^\d{6}$")
# Accept the previous and next 30-second step: phones drift, people type slowly.
VALID_WINDOW = 1


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def current_step(now: datetime) -> int:
    return int(pyotp.TOTP(pyotp.random_base32()).timecode(now))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step a TOTP code belongs to (within the window), or None if it matches none."""
    if not is_totp_format(code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(totp.timecode(now))
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def step_is_fresh(step: int, last_accepted_step: int | None) -> bool:
    """Replay rule: a code is only good for a step later than the last one accepted."""
    return last_accepted_step is None or step > last_accepted_step


def code_for(secret: str, now: datetime) -> str:
    return pyotp.TOTP(secret).at(now)


def is_totp_format(code: str) -> bool:
    return bool(_TOTP_CODE.match(code))


def new_backup_codes(count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Codes shown to the user once, formatted `xxxxx-xxxxx` (~49 bits each)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(_BACKUP_HALF * 2))
        codes.append(f"{raw[:_BACKUP_HALF]}-{raw[_BACKUP_HALF:]}")
    return codes


def normalize_backup_code(code: str) -> str | None:
    """Lower case without separators; None when it cannot be a backup code."""
    cleaned = code.strip().lower().replace("-", "").replace(" ", "")
    return cleaned if _BACKUP_CODE.match(cleaned) else None


def hash_backup_code(code: str) -> str:
    """SHA-256 of the normalized code: codes are random, so no salt or slow hash is needed."""
    normalized = normalize_backup_code(code) or code
    return hashlib.sha256(normalized.encode()).hexdigest()
