"""Replaying a bulk batch or a series from its Idempotency-Key record.

The record names the anchor the first request created; the anchor's status decides whether
there is anything to replay yet (`creating`), ever (`failed`), or the finished result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.errors import Conflict
from chalicelib.store.idempotency import IdempotencyClaim, IdempotencyStore, Outcome


def replayed_anchor_id(
    idempotency: IdempotencyStore,
    claim: IdempotencyClaim,
    now: datetime,
    outcome: Outcome,
    booked_message: str,
) -> str | None:
    """The anchor id the key's first request created, or None when the key is new.
    A first request that ended in a booking conflict is replayed as that conflict."""
    record = idempotency.lookup(claim, now)
    if record is None:
        return None
    if record.outcome != outcome:
        raise Conflict(booked_message, code="reservation_conflict", details=record.details)
    return record.reservation_id or ""


def ensure_settled(
    status: str, failure: dict[str, Any], *, in_progress_code: str, failed_message: str
) -> None:
    """An anchor still `creating` is a 409 to retry later; a `failed` one replays its failure."""
    if status == "creating":
        raise Conflict("this request is still being processed", code=in_progress_code)
    if status == "failed":
        raise Conflict(failed_message, code="reservation_conflict", details=failure)
