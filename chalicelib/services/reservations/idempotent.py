"""The one Idempotency-Key flow of the create endpoints (a reservation, a series, a bulk batch).

The key's record is written in the SAME transaction as what the request creates (or as the
anchor of a multi-transaction write), so the happy path never reads it. A used key surfaces
as a failure (the record's condition fails: `DuplicateRequest`; or the slot is taken by the
first attempt: a `ReservationConflict`), and only then is the first outcome looked up and
replayed, before any other refusal is reported. A genuine 409 is recorded under the key, so a
retried request gets the same answer (unless a concurrent twin committed first: then its
result is replayed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, DomainError, TooManyRequests
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations.conflicts import ReservationConflict
from chalicelib.services.reservations.ports import IdempotencyRecords
from chalicelib.store.reservations.booking_tx import DuplicateRequest
from chalicelib.store.reservations.idempotency import IdempotencyClaim, Outcome

R = TypeVar("R")


class IdempotentCreates:
    def __init__(self, records: IdempotencyRecords, clock: Clock) -> None:
        self._records = records
        self._clock = clock

    def run(
        self,
        principal: Principal,
        claim: IdempotencyClaim | None,
        outcome: Outcome,
        attempt: Callable[[], R],
        replay: Callable[[str], R],
        *,
        look_first: bool = False,
    ) -> R:
        """`attempt()` once per key: a repeat gets `replay(id of what the first created)`.
        `look_first` reads the record before attempting (worth it when the attempt's own
        checks are expensive, as a series' expansion and pre-check are)."""
        if claim is None:
            return attempt()
        now = self._clock.now()
        if look_first and (first := self._replayed(claim, now, outcome, replay)) is not None:
            return first
        try:
            return attempt()
        except DuplicateRequest:
            first = self._replayed(claim, now, outcome, replay)
            if first is None:  # the record vanished between the failed write and this read
                raise TooManyRequests(
                    "a request with this Idempotency-Key is in flight; retry",
                    retry_after=1,
                    code="idempotency_in_flight",
                ) from None
            return first
        except ReservationConflict as refused:
            return self._refused(principal, claim, refused, now=now, outcome=outcome, replay=replay)
        except DomainError:
            first = self._replayed(claim, now, outcome, replay)
            if first is None:
                raise
            return first

    def _replayed(
        self, claim: IdempotencyClaim, now: datetime, outcome: Outcome, replay: Callable[[str], R]
    ) -> R | None:
        record = self._records.lookup(claim, now)
        if record is None:
            return None
        if record.outcome != outcome:  # the first request was refused: refuse the same way
            raise ReservationConflict.replayed(record.details)
        return replay(record.reservation_id or "")

    def _refused(
        self,
        principal: Principal,
        claim: IdempotencyClaim,
        refused: ReservationConflict,
        *,
        now: datetime,
        outcome: Outcome,
        replay: Callable[[str], R],
    ) -> R:
        """Record the 409 under the key, unless a concurrent twin with the same key committed
        first (then its result is replayed)."""
        if self._records.record_conflict(claim, refused.details_for(principal), now):
            raise refused
        first = self._replayed(claim, now, outcome, replay)
        if first is None:
            raise refused
        return first


def ensure_settled(
    status: str, failure: dict[str, Any], *, in_progress_code: str, failed_message: str
) -> None:
    """A replayed anchor still `creating` is a 409 to retry later; a `failed` one replays
    its failure."""
    if status == "creating":
        raise Conflict("this request is still being processed", code=in_progress_code)
    if status == "failed":
        raise ReservationConflict.replayed(failure, failed_message)
