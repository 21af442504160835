"""The one writer of creates that may not fit one transaction (a series, a bulk batch).

All or nothing from the user's point of view (DESIGN.md section 2):
- when every booking fits one transaction with the anchor (the series or batch item, written
  in its final status) and the Idempotency-Key record, it is that one transaction;
- otherwise the anchor is put `creating` with the key record, the bookings follow in chunks,
  each carrying a fence (the anchor is still `creating` at the version we started), and the
  anchor is finally moved to its done status. If a chunk loses a race, or anything fails, the
  chunks already written are cancelled again (compensation) and the anchor ends `failed`; if
  the fence fails, the recovery job already rolled the anchor back, so only our own writes are
  undone. An anchor left `creating` by a crash is rolled back by services/reservations/recovery.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from chalicelib.domain.errors import Conflict
from chalicelib.domain.reservations import Actor, Reservation
from chalicelib.domain.reservations.bulk import (
    ITEMS_PER_BOOKING,
    MAX_TRANSACTION_ITEMS,
    ItemCost,
    plan_chunks,
)
from chalicelib.domain.reservations.conflicts import Occupant, ReservationConflict
from chalicelib.observability import logger
from chalicelib.services.reservations.ports import AnchorStore, ReservationReader, ReservationWriter
from chalicelib.store.reservations.approvals import is_request
from chalicelib.store.reservations.booking_tx import FenceFailed
from chalicelib.store.reservations.idempotency import IdempotencyClaim
from chalicelib.store.reservations.writer import Booking, IdempotencyRecord

A = TypeVar("A")
S = TypeVar("S")


@dataclass(frozen=True)
class AnchoredCreate(Generic[A, S]):
    """One create: the anchor as it starts (`creating`) and as it ends when all went well."""

    creating: A
    done: A
    done_status: S
    failed_status: S
    entity_id: str
    bookings: Sequence[Booking]
    chunks: Sequence[Sequence[int]]  # booking indexes per transaction (see plan_chunks)
    actor: Actor
    now: datetime
    rollback_reason: str
    interrupted_code: str
    # How a lost race reads for the caller: the conflict, re-indexed to the request.
    explain: Callable[[ReservationConflict, Sequence[int]], ReservationConflict]
    claim: IdempotencyClaim | None = None
    # Read by the caller's pre-check, versions before occupants (bulk16): each transaction's
    # first attempt uses them instead of reading again (booking_tx.Occupation).
    known_versions: Mapping[str, Mapping[date, int | None]] = field(default_factory=dict)
    known_occupants: Mapping[str, Sequence[Occupant]] = field(default_factory=dict)


class AnchoredWriter(Generic[A, S]):
    def __init__(
        self,
        writer: ReservationWriter,
        anchors: AnchorStore[A, S],
        reservations: ReservationReader,
        outcome: Any,
    ) -> None:
        self._writer = writer
        self._anchors = anchors
        self._reservations = reservations
        self._outcome = outcome

    def write(self, create: AnchoredCreate[A, S]) -> A:
        if len(create.chunks) == 1:
            return self._at_once(create)
        return self._in_chunks(create)

    def _at_once(self, create: AnchoredCreate[A, S]) -> A:
        record = (
            IdempotencyRecord(create.claim, create.entity_id, self._outcome)
            if create.claim is not None
            else None
        )
        try:
            self._writer.create(
                create.bookings,
                record=record,
                extra=[self._anchors.anchor_put(create.done)],
                known_versions=create.known_versions,
                known_occupants=create.known_occupants,
            )
        except ReservationConflict as lost:
            raise create.explain(lost, list(range(len(create.bookings)))) from None
        return create.done

    def _in_chunks(self, create: AnchoredCreate[A, S]) -> A:
        self._anchors.start(create.creating, create.claim)
        fence = self._anchors.still_creating(create.creating)
        written: list[Reservation] = []
        try:
            for indexes in create.chunks:
                chunk = [create.bookings[i] for i in indexes]
                try:
                    self._writer.create(
                        chunk,
                        extra=[fence],
                        known_versions=create.known_versions,
                        known_occupants=create.known_occupants,
                    )
                except ReservationConflict as lost:
                    error = create.explain(lost, indexes)
                    self._roll_back(create, written, error.details)
                    raise error from None
                written += [b.reservation for b in chunk]
            return self._anchors.transition(
                create.creating, create.done_status, create.now, failure={}
            )
        except (FenceFailed, Conflict) as exc:
            if isinstance(exc, Conflict) and not exc.code.endswith("_changed"):
                raise
            self._roll_back(create, written, None)  # the anchor was settled by someone else
            raise Conflict(
                "the request was interrupted and rolled back; retry",
                code=create.interrupted_code,
            ) from None
        except Exception:
            self._roll_back(create, written, {"reason": "write failed"})
            raise

    def _roll_back(
        self,
        create: AnchoredCreate[A, S],
        written: Sequence[Reservation],
        failure: dict[str, Any] | None,
    ) -> None:
        """Compensation: cancel what was written, then mark the anchor failed (unless someone
        else settled it). If this itself fails, the anchor stays `creating` for the recovery
        job to finish (logged)."""
        try:
            cancel_all(
                self._writer,
                self._reservations,
                written,
                actor=create.actor,
                at=create.now,
                reason=create.rollback_reason,
            )
            if failure is not None:
                self._anchors.transition(
                    create.creating, create.failed_status, create.now, failure=failure
                )
        except Exception:
            logger.exception("rollback incomplete", extra={"anchor_id": create.entity_id})


def cancel_all(
    writer: ReservationWriter,
    reservations: ReservationReader,
    targets: Sequence[Reservation],
    *,
    actor: Actor,
    at: datetime,
    reason: str,
    details: dict[str, str] | None = None,
) -> list[Reservation]:
    """Cancel every occupying reservation of `targets` (33 per transaction; one that changed
    meanwhile is decided again from a fresh read). Returns those this call cancelled."""

    def cancel(current: Reservation) -> Any:
        return current.cancel(actor, at, reason, details) if current.occupies else None

    changes = [cancel(r) for r in targets if r.occupies]
    return writer.apply_many(changes, cancel, reservations.get)


def transaction_chunks(bookings: Sequence[Booking]) -> list[list[int]]:
    """Booking indexes per transaction (at most 100 items: 3 per booking + 1 per (resource,
    UTC day) version), grouped by resource. The one-transaction case leaves room for the
    anchor and the Idempotency-Key record; each chunk of a longer write, for its fence."""
    # Quota counters (issue 13) are shared items like the day versions: one update per counter
    # per transaction, so they are counted as shared keys (with a date that no day has).
    costs = sorted(
        (
            ItemCost(
                i,
                frozenset((b.reservation.resource_id, d) for d in b.window_days())
                | frozenset((f"quota#{c.counter}", date.min) for c in b.reservation.quota_charges),
                ITEMS_PER_BOOKING + (1 if is_request(b.reservation) else 0),
            )
            for i, b in enumerate(bookings)
        ),
        key=lambda c: (bookings[c.index].reservation.resource_id, c.index),
    )
    whole = plan_chunks(costs, MAX_TRANSACTION_ITEMS - 2)
    return whole if len(whole) == 1 else plan_chunks(costs, MAX_TRANSACTION_ITEMS - 1)
