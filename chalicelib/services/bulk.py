"""Bulk reservations: book up to 100 windows (any resources) all or nothing; cancel many.

Create: every item is checked against the booking rules, against the other items and against
the table (read only), and all problems are reported at once, by item index. `dry_run` stops
there. Otherwise the bookings are written: in one transaction when they fit (with a `complete`
batch item and the Idempotency-Key record), else anchored by a `creating` batch item and
written in chunks that each re-check the invariant; if a chunk loses a race, the chunks
already written are cancelled again and the batch ends `failed` (compensation). A batch
left `creating` by a crash is rolled back by services/recovery.py (a scheduled job).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain import booking_rules, conflicts
from chalicelib.domain.bulk import (
    MAX_TRANSACTION_ITEMS,
    BatchStatus,
    BulkBatch,
    ItemCost,
    ItemError,
    describe,
    plan_chunks,
)
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RuleViolation,
)
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import HistoryEntry, Reservation, ReservationStatus, TimeRange
from chalicelib.domain.timeutil import iso_z
from chalicelib.observability import logger
from chalicelib.services.anchor_replay import ensure_settled, replayed_anchor_id
from chalicelib.services.booking import ResourceCatalog, to_millis
from chalicelib.services.bulk_checks import BulkRequest, Evaluation, evaluate
from chalicelib.services.reservation_access import conflict_error, visible_reservation
from chalicelib.store.booking_tx import DuplicateRequest, SlotTaken
from chalicelib.store.bulk import (
    BatchLost,
    Booking,
    BulkChunk,
    BulkRepository,
    BulkTransactions,
    reservations_by_id,
)
from chalicelib.store.idempotency import IdempotencyClaim, IdempotencyStore, claim_put, fingerprint
from chalicelib.store.reservation_repo import ReservationRepository
from chalicelib.store.reservations import table_name

ROLLBACK_REASON = "bulk booking rolled back"


@dataclass(frozen=True)
class ItemOutcome:
    index: int
    resource_id: str
    window: TimeRange | None
    error: ItemError | None = None
    reservation: Reservation | None = None


@dataclass(frozen=True)
class BulkResult:
    dry_run: bool
    outcomes: list[ItemOutcome]
    batch: BulkBatch | None = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return all(o.error is None for o in self.outcomes)

    @property
    def reservations(self) -> list[Reservation]:
        return [o.reservation for o in self.outcomes if o.reservation is not None]


@dataclass(frozen=True)
class CancelOutcome:
    reservation_id: str
    outcome: str  # cancelled | not_found | already_cancelled | not_cancellable
    reservation: Reservation | None = None


@dataclass
class _Write:
    principal: Principal
    evaluation: Evaluation
    bookings: list[Booking]
    now: datetime
    claim: IdempotencyClaim | None
    batch_id: str
    written: list[Reservation] = field(default_factory=list)


class BulkService:
    def __init__(
        self,
        catalog: ResourceCatalog,
        reservations: ReservationRepository,
        batches: BulkRepository,
        idempotency: IdempotencyStore,
        clock: Clock,
        *,
        ids: IdFactory,
        transactions: BulkTransactions | None = None,
        rules: Callable[..., list[str]] = booking_rules.check_booking,
    ) -> None:
        self._catalog = catalog
        self._reservations = reservations
        self._batches = batches
        self._idempotency = idempotency
        self._clock = clock
        self._ids = ids
        self._tx = transactions or BulkTransactions(ids)
        self._rules = rules

    # --- create -----------------------------------------------------------------------------

    def create(
        self, principal: Principal, request: BulkRequest, idempotency_key: str | None = None
    ) -> BulkResult:
        if request.override and not principal.is_admin:
            raise Forbidden(
                "only administrators may override business hours and blackouts",
                code="override_forbidden",
            )
        now = self._clock.now()
        claim = None if request.dry_run else _claim(principal, request, idempotency_key)
        if claim is not None and (replay := self._replay(claim, now)) is not None:
            return replay
        evaluation = evaluate(self._catalog, self._rules, principal, request, now)
        outcomes = [
            ItemOutcome(i, item.resource_id, evaluation.windows[i], evaluation.errors.get(i))
            for i, item in enumerate(request.items)
        ]
        if request.dry_run:
            return BulkResult(True, outcomes)
        if evaluation.errors:
            raise self._refusal(outcomes, evaluation, claim, now)
        job = _Write(principal, evaluation, [], now, claim, self._ids.new_id())
        job.bookings = self._draft(job, request)
        try:
            return self._write(job)
        except DuplicateRequest:
            replay = self._replay(claim, now) if claim is not None else None
            if replay is None:
                raise Conflict(
                    "this request is already being processed", code="bulk_in_progress"
                ) from None
            return replay

    def _draft(self, job: _Write, request: BulkRequest) -> list[Booking]:
        bookings = []
        uid = job.principal.subject_id
        for index, item in enumerate(request.items):
            context = job.evaluation.contexts[item.resource_id]
            window = job.evaluation.windows[index]
            assert window is not None, "only valid requests are drafted"
            overridden = job.evaluation.overridden.get(index, [])
            reservation = Reservation(
                reservation_id=self._ids.new_id(),
                resource_id=item.resource_id,
                user_id=uid,
                window=window,
                status=ReservationStatus.PENDING_APPROVAL
                if context.resource.requires_approval
                else ReservationStatus.ACTIVE,
                created_at=job.now,
                notes=item.notes,
                override_by=uid if overridden else None,
            )
            details = {
                "resource_id": item.resource_id,
                "start_time": iso_z(window.start),
                "end_time": iso_z(window.end),
                "status": reservation.status.value,
                "batch_id": job.batch_id,
            }
            if overridden:
                details["override"] = ",".join(overridden)
            entry = HistoryEntry(job.now, uid, "created", details=details)
            bookings.append(Booking(reservation, entry, context.buffers))
        return bookings

    def _write(self, job: _Write) -> BulkResult:
        costs = sorted(
            (_cost(i, b) for i, b in enumerate(job.bookings)),
            key=lambda c: (job.bookings[c.index].reservation.resource_id, c.index),
        )
        # Room for the batch item and the Idempotency-Key record in a single transaction.
        if len(plan_chunks(costs, MAX_TRANSACTION_ITEMS - 2)) == 1:
            return self._write_at_once(job)
        return self._write_in_chunks(job, plan_chunks(costs, MAX_TRANSACTION_ITEMS - 1))

    def _write_at_once(self, job: _Write) -> BulkResult:
        batch = self._batch(job, BatchStatus.COMPLETE)
        anchor = self._batches.anchor_put(batch)
        anchor["Put"]["ConditionExpression"] = "attribute_not_exists(PK)"
        extra = [anchor]
        if job.claim is not None:
            extra.append(claim_put(job.claim, batch.batch_id, job.now, table_name(), "bulk"))
        chunk = BulkChunk(
            tuple(job.bookings), job.now, tuple(extra), 1 if job.claim is not None else None
        )
        try:
            self._tx.occupy(chunk)
        except SlotTaken as exc:
            error = self._lost(job, exc, list(range(len(job.bookings))))
            if job.claim is not None:
                self._idempotency.record_conflict(job.claim, error.details, job.now)
            raise error from None
        return _created(batch, job)

    def _write_in_chunks(self, job: _Write, chunks: list[list[int]]) -> BulkResult:
        batch = self._batch(job, BatchStatus.CREATING)
        self._batches.start(batch, job.claim)
        fence = (self._batches.still_creating(batch),)
        try:
            for indexes in chunks:
                bookings = tuple(job.bookings[i] for i in indexes)
                try:
                    self._tx.occupy(BulkChunk(bookings, job.now, fence))
                except SlotTaken as exc:
                    error = self._lost(job, exc, indexes)
                    self._roll_back(job, batch, error.details)
                    raise error from None
                job.written += [b.reservation for b in bookings]
            done = self._batches.transition(batch, BatchStatus.COMPLETE, job.now)
        except (BatchLost, Conflict) as exc:
            if isinstance(exc, Conflict) and exc.code != "batch_changed":
                raise
            self._roll_back(job, None, {})
            raise Conflict(
                "the bulk booking was interrupted and rolled back; retry",
                code="bulk_interrupted",
            ) from None
        except Exception:
            self._roll_back(job, batch, {"reason": "write failed"})
            raise
        return _created(done, job)

    def _batch(self, job: _Write, status: BatchStatus) -> BulkBatch:
        ids = tuple(b.reservation.reservation_id for b in job.bookings)
        return BulkBatch(job.batch_id, job.principal.subject_id, status, job.now, ids)

    def _roll_back(self, job: _Write, batch: BulkBatch | None, failure: dict[str, Any]) -> None:
        """Compensation: cancel what was written, mark the batch failed. If this itself
        fails, the batch stays `creating` for the recovery job to finish (logged)."""
        try:
            uid = job.principal.subject_id
            entry = HistoryEntry(job.now, uid, "cancelled", ROLLBACK_REASON)
            self._reservations.cancel_many(job.written, entry, ROLLBACK_REASON)
            if batch is not None:
                self._batches.transition(batch, BatchStatus.FAILED, job.now, failure=failure)
        except Exception:
            logger.exception("bulk rollback incomplete", extra={"batch_id": job.batch_id})

    def _lost(self, job: _Write, exc: SlotTaken, indexes: Sequence[int]) -> Conflict:
        """A race lost while writing: the 409 names the items (request indexes) that collided."""
        errors = {
            indexes[pos]: ItemError(
                "reservation_conflict",
                "the resource is already booked for (part of) this time",
                conflicts=conflict_error(found, job.principal).details["conflicts"],
            )
            for pos, found in exc.by_window.items()
        }
        summary = conflict_error(exc.occupants, job.principal).details["conflicts"]
        items = [_error_entry(job.evaluation, i, e) for i, e in sorted(errors.items())]
        return Conflict(
            f"{len(items)} item(s) are already booked; nothing was booked",
            code="reservation_conflict",
            details={"items": items, "conflicts": summary},
        )

    def _refusal(
        self,
        outcomes: list[ItemOutcome],
        evaluation: Evaluation,
        claim: IdempotencyClaim | None,
        now: datetime,
    ) -> DomainError:
        failing = [o for o in outcomes if o.error is not None]
        items = [_error_entry(evaluation, o.index, o.error) for o in failing if o.error]
        summary = f"{len(failing)} of {len(outcomes)} items cannot be booked; nothing was booked"
        if all(o.error is not None and o.error.is_conflict for o in failing):
            seen = {json_key(c): c for o in failing if o.error for c in o.error.conflicts}
            details = {"items": items, "conflicts": list(seen.values())}
            if claim is not None:
                self._idempotency.record_conflict(claim, details, now)
            return Conflict(summary, code="reservation_conflict", details=details)
        return RuleViolation(summary, code="bulk_rejected", details={"items": items})

    def _replay(self, claim: IdempotencyClaim, now: datetime) -> BulkResult | None:
        batch_id = replayed_anchor_id(
            self._idempotency, claim, now, "bulk", "the resources are already booked"
        )
        if batch_id is None:
            return None
        batch = self._batches.get(batch_id)
        if batch is None:
            raise NotFound("no such bulk batch", code="batch_not_found")
        ensure_settled(
            batch.status,
            batch.failure,
            in_progress_code="bulk_in_progress",
            failed_message="the bulk booking failed and was rolled back",
        )
        found = reservations_by_id(batch.reservation_ids)
        outcomes = [
            ItemOutcome(i, r.resource_id, r.window, reservation=r) for i, r in enumerate(found)
        ]
        return BulkResult(False, outcomes, batch, replayed=True)

    # --- cancel -----------------------------------------------------------------------------

    def cancel(
        self, principal: Principal, reservation_ids: Sequence[str], reason: str
    ) -> list[CancelOutcome]:
        """Each occupying reservation the caller may see is cancelled by its own conditional
        write (not all or nothing); the others are reported, never touched."""
        unique = list(dict.fromkeys(reservation_ids))
        found = {r.reservation_id: r for r in reservations_by_id(unique)}
        outcomes: dict[str, CancelOutcome] = {}
        own: list[Reservation] = []
        others: list[Reservation] = []
        for rid in unique:
            current = found.get(rid)
            if current is None or not visible_reservation(current.user_id, principal):
                outcomes[rid] = CancelOutcome(rid, "not_found")
            elif not current.occupies:
                outcomes[rid] = _not_occupying(current)
            else:
                (own if current.user_id == principal.subject_id else others).append(current)
        now = self._clock.now()
        for group, details in ((own, {}), (others, {"on_behalf_of": "owner"})):
            if not group:
                continue
            entry = HistoryEntry(now, principal.subject_id, "cancelled", reason, details)
            done = {
                r.reservation_id: r for r in self._reservations.cancel_many(group, entry, reason)
            }
            for current in group:
                rid = current.reservation_id
                if rid in done:
                    outcomes[rid] = CancelOutcome(rid, "cancelled", done[rid])
                else:  # changed meanwhile (someone else cancelled or moved it on)
                    latest = self._reservations.get(rid)
                    outcomes[rid] = _not_occupying(latest or current)
        return [outcomes[rid] for rid in unique]


def _not_occupying(reservation: Reservation) -> CancelOutcome:
    outcome = (
        "already_cancelled"
        if reservation.status == ReservationStatus.CANCELLED
        else "not_cancellable"
    )
    return CancelOutcome(reservation.reservation_id, outcome, reservation)


def _claim(principal: Principal, request: BulkRequest, key: str | None) -> IdempotencyClaim | None:
    if key is None:
        return None
    payload = {
        "items": [
            {
                "resource_id": item.resource_id,
                "start_time": iso_z(to_millis(item.start_time)),
                "end_time": iso_z(to_millis(item.end_time)),
                "notes": item.notes,
            }
            for item in request.items
        ],
        "override": request.override,
    }
    return IdempotencyClaim(principal.subject_id, key, fingerprint("create_bulk", payload))


def _cost(index: int, booking: Booking) -> ItemCost:
    buffers, reservation = booking.buffers, booking.reservation
    days = conflicts.utc_days(
        reservation.window, buffer_before=buffers.before, buffer_after=buffers.after
    )
    return ItemCost(index, frozenset((reservation.resource_id, d) for d in days))


def _created(batch: BulkBatch, job: _Write) -> BulkResult:
    outcomes = [
        ItemOutcome(i, b.reservation.resource_id, b.reservation.window, reservation=b.reservation)
        for i, b in enumerate(job.bookings)
    ]
    return BulkResult(False, outcomes, batch)


def _error_entry(evaluation: Evaluation, index: int, error: ItemError | None) -> dict[str, Any]:
    entry = describe(index, evaluation.resource_ids[index], evaluation.windows[index])
    if error is not None:
        entry.update(code=error.code, message=error.message)
        if error.conflicts:
            entry["conflicts"] = error.conflicts
        if error.overlaps_with:
            entry["overlaps_with"] = error.overlaps_with
    return entry


def json_key(conflict: dict[str, str]) -> tuple[str, ...]:
    return tuple(conflict.get(k, "") for k in ("reservation_id", "start_time", "end_time"))
