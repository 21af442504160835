"""Bulk reservations: book up to 100 windows (any resources) all or nothing; cancel many.

Create: every item is checked against the booking rules, against the other items and against
the table (read only), and all problems are reported at once, by item index. `dry_run` stops
there. Otherwise the bookings are written: in one transaction when they fit (with a `complete`
batch item and the Idempotency-Key record), else anchored by a `creating` batch item and
written in chunks that each re-check the invariant; if a chunk loses a race, the chunks
already written are cancelled again and the batch ends `failed` (compensation). A batch
left `creating` by a crash is rolled back by services/reservations/recovery.py (a scheduled job).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.errors import DomainError, NotFound, RuleViolation
from chalicelib.domain.principal import Principal, visible_to
from chalicelib.domain.quotas.rules import QuotaPlan
from chalicelib.domain.reservations import (
    Actor,
    Reservation,
    ReservationStatus,
    TimeRange,
)
from chalicelib.domain.reservations.bulk import (
    BatchStatus,
    BulkBatch,
    ItemError,
    describe,
)
from chalicelib.domain.reservations.conflicts import CONFLICT_MESSAGE, ReservationConflict
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.quotas.gate import QUOTA_OVERRIDE, plans_or_refuse
from chalicelib.services.reservations import plan_b_many
from chalicelib.services.reservations.anchored_write import (
    AnchoredCreate,
    AnchoredWriter,
    cancel_all,
    transaction_chunks,
)
from chalicelib.services.reservations.booking import (
    BookingDeps,
    initial_status,
    require_override_right,
    to_millis,
)
from chalicelib.services.reservations.bulk_checks import BulkRequest, Evaluation, evaluate
from chalicelib.services.reservations.idempotent import ensure_settled
from chalicelib.services.reservations.ports import (
    BatchAnchors,
)
from chalicelib.store.reservations.idempotency import IdempotencyClaim, fingerprint
from chalicelib.store.reservations.writer import Booking

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


class BulkService:
    def __init__(self, deps: BookingDeps, batches: BatchAnchors) -> None:
        self._catalog = deps.catalog
        self._reservations = deps.reservations
        self._batches = batches
        self._writer = deps.writer
        self._anchored: AnchoredWriter[BulkBatch, BatchStatus] = AnchoredWriter(
            deps.writer, batches, deps.reservations, "bulk"
        )
        self._idempotency = deps.idempotency
        self._clock = deps.clock
        self._ids = deps.ids
        self._rules = deps.rules
        self._quotas = deps.quotas
        self._plan_b = deps.plan_b  # Plan B per refused item (issue 13)

    # --- create -----------------------------------------------------------------------------

    def create(
        self, principal: Principal, request: BulkRequest, idempotency_key: str | None = None
    ) -> BulkResult:
        require_override_right(principal, request.override)
        claim = None if request.dry_run else _claim(principal, request, idempotency_key)
        return self._idempotency.run(
            principal,
            claim,
            "bulk",
            lambda: self._create(principal, request, claim),
            self._replay,
            look_first=True,  # a retry skips the evaluation
        )

    def _create(
        self, principal: Principal, request: BulkRequest, claim: IdempotencyClaim | None
    ) -> BulkResult:
        now = self._clock.now()
        evaluation = evaluate(
            self._catalog,
            self._rules,
            principal,
            request,
            now,
            occupants=self._reservations.occupants,
            versions=self._writer.day_versions,
        )
        outcomes = [
            ItemOutcome(i, item.resource_id, evaluation.windows[i], evaluation.errors.get(i))
            for i, item in enumerate(request.items)
        ]
        if request.dry_run:
            return BulkResult(True, outcomes)
        if evaluation.errors:
            refused = _refusal(outcomes, evaluation)
            if isinstance(refused, ReservationConflict | RuleViolation):  # Plan B (issue 13)
                plan_b_many.attach(
                    self._plan_b, principal, refused, _windows(evaluation), now,
                    group="items", key="index",
                )  # fmt: skip
            raise refused
        quotas = plans_or_refuse(
            self._quotas,
            principal,
            [
                (evaluation.contexts[item.resource_id].resource, window)
                for item, window in zip(request.items, evaluation.windows, strict=True)
                if window is not None
            ],
            now,
        )
        batch_id = self._ids.new_id()
        bookings = self._draft(principal, request, evaluation, now, batch_id, quotas=quotas)
        ids = tuple(b.reservation.reservation_id for b in bookings)
        batch = BulkBatch(batch_id, principal.subject_id, BatchStatus.CREATING, now, ids)
        done = self._anchored.write(
            AnchoredCreate(
                creating=batch,
                done=replace(batch, status=BatchStatus.COMPLETE),
                done_status=BatchStatus.COMPLETE,
                failed_status=BatchStatus.FAILED,
                entity_id=batch_id,
                bookings=bookings,
                chunks=transaction_chunks(bookings),
                actor=Actor.of(principal),
                now=now,
                rollback_reason=ROLLBACK_REASON,
                interrupted_code="bulk_interrupted",
                explain=lambda lost, positions: _lost(evaluation, lost, positions),
                claim=claim,
                known_versions=evaluation.versions,
                known_occupants=evaluation.occupants,
            )
        )
        return BulkResult(False, _booked(bookings), done)

    def _draft(
        self,
        principal: Principal,
        request: BulkRequest,
        evaluation: Evaluation,
        now: datetime,
        batch_id: str,
        *,
        quotas: list[QuotaPlan],
    ) -> list[Booking]:
        bookings = []
        uid = principal.subject_id
        actor = Actor.of(principal)
        for index, item in enumerate(request.items):
            context = evaluation.contexts[item.resource_id]
            window = evaluation.windows[index]
            assert window is not None, "only valid requests are drafted"
            overridden = list(evaluation.overridden.get(index, []))
            if quotas[index].exempt:
                overridden.append(QUOTA_OVERRIDE)
            reservation = Reservation(
                reservation_id=self._ids.new_id(),
                resource_id=item.resource_id,
                user_id=item.user_id or uid,  # an admin's import books for others
                window=window,
                status=initial_status(context.resource),
                created_at=now,
                notes=item.notes,
                override_by=uid if overridden else None,
                quota_charges=quotas[index].charges,
            )
            details = {
                "resource_id": item.resource_id,
                "start_time": iso_z(window.start),
                "end_time": iso_z(window.end),
                "status": reservation.status.value,
                "batch_id": batch_id,
            }
            if overridden:
                details["override"] = ",".join(overridden)
            entry = reservation.created_entry(actor, details)
            bookings.append(Booking(reservation, entry, context.buffers, quotas[index].limits))
        return bookings

    def _replay(self, batch_id: str) -> BulkResult:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise NotFound("no such bulk batch", code="batch_not_found")
        ensure_settled(
            batch.status,
            batch.failure,
            in_progress_code="bulk_in_progress",
            failed_message="the bulk booking failed and was rolled back",
        )
        found = self._reservations.get_many(batch.reservation_ids)
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
        found = {r.reservation_id: r for r in self._reservations.get_many(unique)}
        outcomes: dict[str, CancelOutcome] = {}
        own: list[Reservation] = []
        others: list[Reservation] = []
        for rid in unique:
            current = found.get(rid)
            if current is None or not visible_to(current.user_id, principal):
                outcomes[rid] = CancelOutcome(rid, "not_found")
            elif not current.occupies:
                outcomes[rid] = _not_occupying(current)
            else:
                (own if current.user_id == principal.subject_id else others).append(current)
        now = self._clock.now()
        for group, details in ((own, {}), (others, {"on_behalf_of": "owner"})):
            if not group:
                continue
            cancelled = cancel_all(
                self._writer,
                self._reservations,
                group,
                actor=Actor.of(principal),
                at=now,
                reason=reason,
                details=details,
            )
            done = {r.reservation_id: r for r in cancelled}
            for current in group:
                rid = current.reservation_id
                if rid in done:
                    outcomes[rid] = CancelOutcome(rid, "cancelled", done[rid])
                else:  # changed meanwhile (someone else cancelled or moved it on)
                    latest = self._reservations.get(rid)
                    outcomes[rid] = _not_occupying(latest or current)
        return [outcomes[rid] for rid in unique]


def _windows(evaluation: Evaluation) -> dict[int, tuple[Resource, TimeRange]]:
    """Each item's resource and window, where both are known (Plan B's input)."""
    found: dict[int, tuple[Resource, TimeRange]] = {}
    for index, (rid, window) in enumerate(
        zip(evaluation.resource_ids, evaluation.windows, strict=True)
    ):
        context = evaluation.contexts.get(rid)
        if context is not None and window is not None:
            found[index] = (context.resource, window)
    return found


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
                # only when set, so the fingerprints of plain bulk requests stay the same
                **({"user_id": item.user_id} if item.user_id else {}),
            }
            for item in request.items
        ],
        "override": request.override,
    }
    return IdempotencyClaim(principal.subject_id, key, fingerprint("create_bulk", payload))


def _booked(bookings: Sequence[Booking]) -> list[ItemOutcome]:
    return [
        ItemOutcome(i, b.reservation.resource_id, b.reservation.window, reservation=b.reservation)
        for i, b in enumerate(bookings)
    ]


def _conflict_subject(evaluation: Evaluation, index: int) -> dict[str, Any]:
    return {
        **describe(index, evaluation.resource_ids[index], evaluation.windows[index]),
        "code": "reservation_conflict",
        "message": CONFLICT_MESSAGE,
    }


def _lost(
    evaluation: Evaluation, lost: ReservationConflict, positions: Sequence[int]
) -> ReservationConflict:
    """A race lost while writing: the 409 names the items (request indexes) that collided."""
    indexes = [positions[i] for i in lost.clashes]
    return lost.described(
        "items",
        {i: _conflict_subject(evaluation, i) for i in indexes},
        message=f"{len(indexes)} item(s) are already booked; nothing was booked",
        positions=positions,
    )


def _refusal(outcomes: list[ItemOutcome], evaluation: Evaluation) -> DomainError:
    failing = [o for o in outcomes if o.error is not None]
    summary = f"{len(failing)} of {len(outcomes)} items cannot be booked; nothing was booked"
    if all(o.error is not None and o.error.is_conflict for o in failing):
        return ReservationConflict(
            {o.index: list(o.error.occupants) for o in failing if o.error is not None},
            message=summary,
            group="items",
            subjects={o.index: _conflict_subject(evaluation, o.index) for o in failing},
        )
    items = [_error_entry(evaluation, o.index, o.error) for o in failing if o.error]
    return RuleViolation(summary, code="bulk_rejected", details={"items": items})


def _error_entry(evaluation: Evaluation, index: int, error: ItemError | None) -> dict[str, Any]:
    entry = describe(index, evaluation.resource_ids[index], evaluation.windows[index])
    if error is not None:
        entry.update(code=error.code, message=error.message)
        if error.conflicts:
            entry["conflicts"] = error.conflicts
        if error.overlaps_with:
            entry["overlaps_with"] = error.overlaps_with
    return entry
