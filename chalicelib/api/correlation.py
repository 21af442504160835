"""A request's correlation id, and what its refusal counts as (for the telemetry middleware).

The id is the caller's `X-Correlation-Id` header when it is a sane token (letters, digits,
`.`, `_`, `:`, `-`, at most 128 characters; anything else is ignored, never echoed), else API
Gateway's request id, else a fresh UUID (chalice local has no request id). It is worked out
once per request and kept in the request context, so the audit stamp (and thus every event
the request causes) and the response header always agree.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from chalice.app import Request

from chalicelib.domain.errors import DomainError

HEADER = "X-Correlation-Id"
_KEY = "correlationId"
_SANE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

_refusal: ContextVar[DomainError | None] = ContextVar("refusal", default=None)


def of_request(request: Request) -> str:
    known = request.context.get(_KEY)
    if isinstance(known, str) and known:
        return known
    claimed = str(request.headers.get(HEADER.lower()) or "")
    if _SANE.fullmatch(claimed):
        found = claimed
    else:
        found = str(request.context.get("requestId") or "") or str(uuid.uuid4())
    request.context[_KEY] = found
    return found


def note_refusal(error: DomainError) -> None:
    """api/errors.py tells the middleware which domain error refused the request."""
    _refusal.set(error)


def take_refusal() -> DomainError | None:
    error = _refusal.get()
    _refusal.set(None)
    return error
