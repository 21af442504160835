"""Recurring series: create (all or nothing), read, cancel.

Create: expand the rule in the resource's zone, check every occurrence against the rules and
against each other, pre-check conflicts (read only: the common refusal costs no write), then
write the series and its occurrences through the one anchored writer (anchored_write.py):
one transaction when it fits, else the series `creating`, its occurrences in fenced chunks,
then `active`; a lost race rolls the written chunks back and the caller gets a 409 and holds
nothing. The Idempotency-Key flow is idempotent.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import Conflict, NotFound, RuleViolation
from chalicelib.domain.principal import Principal, visible_to
from chalicelib.domain.quotas.rules import QuotaPlan
from chalicelib.domain.reservations import (
    Actor,
    Reservation,
    TimeRange,
    booking_rules,
    conflicts,
    recurrence,
)
from chalicelib.domain.reservations.conflicts import ReservationConflict, find_conflicts
from chalicelib.domain.reservations.series import Series, SeriesStatus
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
    buffers_of,
    initial_status,
    require_override_right,
    to_millis,
)
from chalicelib.services.reservations.idempotent import ensure_settled
from chalicelib.services.reservations.ports import (
    SeriesAnchors,
)
from chalicelib.services.reservations.series_plan import SeriesPlan, SeriesRequest, SeriesResult
from chalicelib.store.reservations.idempotency import IdempotencyClaim, fingerprint
from chalicelib.store.reservations.writer import Booking

ROLLBACK_REASON = "series creation rolled back"

__all__ = ["ROLLBACK_REASON", "SeriesPlan", "SeriesRequest", "SeriesResult", "SeriesService"]


class SeriesService:
    def __init__(self, deps: BookingDeps, series: SeriesAnchors) -> None:
        self._catalog = deps.catalog
        self._reservations = deps.reservations
        self._series = series
        self._writer = deps.writer
        self._anchored: AnchoredWriter[Series, SeriesStatus] = AnchoredWriter(
            deps.writer, series, deps.reservations, "series"
        )
        self._idempotency = deps.idempotency
        self._clock = deps.clock
        self._ids = deps.ids
        self._rules = deps.rules
        self._quotas = deps.quotas
        self._plan_b = deps.plan_b

    # --- create -----------------------------------------------------------------------------

    def create(
        self, principal: Principal, request: SeriesRequest, idempotency_key: str | None = None
    ) -> SeriesResult:
        plan = self._plan(principal, request, idempotency_key)
        try:
            return self._idempotency.run(
                principal,
                plan.claim,
                "series",
                lambda: self._create(plan),
                self._replay,
                look_first=True,  # a retry skips the expansion and the pre-check
            )
        except (ReservationConflict, RuleViolation) as refused:
            # Plan B per refused occurrence (issue 13), bounded: plan_b_many.py.
            if plan.resource is not None and plan.windows:
                occurrences = {i: (plan.resource, w) for i, w in enumerate(plan.windows)}
                plan_b_many.attach(self._plan_b, principal, refused, occurrences, plan.now)
            raise

    def _create(self, plan: SeriesPlan) -> SeriesResult:
        plan.resource = self._catalog.get(plan.request.resource_id)
        plan.buffers = buffers_of(plan.resource)
        plan.windows = self._expand(plan)
        self._check_all(plan)
        self._precheck(plan)
        quotas = plans_or_refuse(
            self._quotas, plan.principal, [(plan.catalogued, w) for w in plan.windows], plan.now
        )
        if any(q.exempt for q in quotas):
            plan.overridden.add(QUOTA_OVERRIDE)
        series, bookings = self._draft(plan, quotas)
        active = self._anchored.write(
            AnchoredCreate(
                creating=series,
                done=_settled(series, SeriesStatus.ACTIVE),
                done_status=SeriesStatus.ACTIVE,
                failed_status=SeriesStatus.FAILED,
                entity_id=series.series_id,
                bookings=bookings,
                chunks=transaction_chunks(bookings),
                actor=Actor.of(plan.principal),
                now=plan.now,
                rollback_reason=ROLLBACK_REASON,
                interrupted_code="series_interrupted",
                explain=lambda lost, positions: _series_conflict(lost, plan.windows, positions),
                claim=plan.claim,
            )
        )
        return SeriesResult(active, [b.reservation for b in bookings], skipped=plan.skipped)

    def _plan(self, principal: Principal, request: SeriesRequest, key: str | None) -> SeriesPlan:
        first = booking_rules.validate_window_input(request.start_time, request.end_time)
        first = TimeRange(to_millis(first.start), to_millis(first.end))
        require_override_right(principal, request.override)
        rule = request.rrule or recurrence.rrule_from_simple(request.simple or {})
        plan = SeriesPlan(principal, request, first, rule, self._clock.now())
        if key is not None:
            payload = {
                "resource_id": request.resource_id,
                "start_time": iso_z(first.start),
                "end_time": iso_z(first.end),
                "rule": rule,
                "exdates": [str(d) for d in request.exdates],
                "notes": request.notes,
                "override": request.override,
                "conflict_policy": request.conflict_policy,
            }
            digest = fingerprint("create_series", payload)
            plan.claim = IdempotencyClaim(principal.subject_id, key, digest)
        return plan

    def _replay(self, series_id: str) -> SeriesResult:
        series = self._series.get(series_id)
        if series is None:
            raise NotFound("no such series", code="series_not_found")
        ensure_settled(
            series.status,
            series.failure,
            in_progress_code="series_in_progress",
            failed_message="the series could not be booked",
        )
        return SeriesResult(series, self._series.occurrences(series), replayed=True)

    def _expand(self, plan: SeriesPlan) -> list[TimeRange]:
        occurrences = recurrence.expand_recurrence(
            plan.first.start,
            plan.first.duration,
            plan.rule,
            timezone=plan.catalogued.timezone,
            now=plan.now,
            horizon=plan.catalogued.policy.horizon,
            exdates=plan.request.exdates,
        )
        return [TimeRange(to_millis(o.start), to_millis(o.end)) for o in occurrences]

    def _check_all(self, plan: SeriesPlan) -> None:
        """Every occurrence against the rules and the others; all problems reported at once."""
        resource, windows, buffers = plan.catalogued, plan.windows, plan.buffers
        pairs = conflicts.find_internal_overlaps(
            windows, buffer_before=buffers.before, buffer_after=buffers.after
        )
        if pairs:
            raise RuleViolation(
                f"occurrences {pairs[0][0] + 1} and {pairs[0][1] + 1} overlap each other",
                code="series_self_overlap",
                details={"pairs": [list(p) for p in pairs]},
            )
        hours = self._catalog.hours_for(resource)
        blackouts = self._catalog.blackouts_for(
            resource,
            windows[0].start.date() - timedelta(days=1),
            windows[-1].end.date() + timedelta(days=1),
        )
        broken: list[dict[str, Any]] = []
        for index, window in enumerate(windows):
            try:
                skipped = self._rules(
                    resource,
                    window,
                    now=plan.now,
                    hours=hours,
                    blackouts=blackouts,
                    override=plan.request.override,
                )
                plan.overridden.update(skipped)
            except RuleViolation as exc:
                broken.append(
                    {**_describe(index, window), "code": exc.code, "message": exc.message}
                )
        if broken:
            raise RuleViolation(
                f"{len(broken)} of {len(windows)} occurrences break the booking rules",
                code="series_rule_violation",
                details={"occurrences": broken},
            )

    def _precheck(self, plan: SeriesPlan) -> None:
        """Read-only: the usual refusal (some occurrence is taken) costs no write at all."""
        rid = plan.catalogued.resource_id
        occupants = self._reservations.occupants(rid, plan.windows, plan.buffers, plan.now)
        clashes = {}
        for index, window in enumerate(plan.windows):
            found = find_conflicts(window, occupants, plan.buffers, queued=plan.queued)
            if found:
                clashes[index] = found
        if not clashes:
            return
        error = _series_conflict(ReservationConflict(clashes), plan.windows, None)
        if plan.request.conflict_policy == "skip_conflicts" and len(clashes) < len(plan.windows):
            plan.skipped = error.details_for(plan.principal)["occurrences"]
            plan.windows = [w for i, w in enumerate(plan.windows) if i not in clashes]
            return
        raise error

    def _draft(self, plan: SeriesPlan, quotas: list[QuotaPlan]) -> tuple[Series, list[Booking]]:
        resource, principal, now = plan.catalogued, plan.principal, plan.now
        series_id = self._ids.new_id()
        status = initial_status(resource)
        details = {"series_id": series_id, "resource_id": resource.resource_id}
        if plan.overridden:
            details["override"] = ",".join(sorted(plan.overridden))
        actor = Actor.of(principal)
        bookings = []
        for window, quota in zip(plan.windows, quotas, strict=True):
            reservation = Reservation(
                reservation_id=self._ids.new_id(),
                resource_id=resource.resource_id,
                user_id=principal.subject_id,
                window=window,
                status=status,
                created_at=now,
                notes=plan.request.notes,
                series_id=series_id,
                override_by=principal.subject_id if plan.overridden else None,
                quota_charges=quota.charges,
            )
            entry = reservation.created_entry(
                actor,
                {**details, "start_time": iso_z(window.start), "end_time": iso_z(window.end)},
            )
            bookings.append(Booking(reservation, entry, plan.buffers, quota.limits))
        series = Series(
            series_id=series_id,
            resource_id=resource.resource_id,
            user_id=principal.subject_id,
            rule=plan.rule,
            first=plan.first,
            status=SeriesStatus.CREATING,
            created_at=now,
            occurrence_ids=tuple(b.reservation.reservation_id for b in bookings),
            notes=plan.request.notes,
            exdates=(
                *(str(d) for d in plan.request.exdates),
                *(str(s["start_time"]) for s in plan.skipped),
            ),
        )
        return series, bookings

    # --- read and cancel --------------------------------------------------------------------

    def get(self, principal: Principal, series_id: str) -> SeriesResult:
        series = self._owned(principal, series_id)
        return SeriesResult(series, self._series.occurrences(series))

    def cancel(
        self, principal: Principal, series_id: str, reason: str, *, future_only: bool = True
    ) -> SeriesResult:
        """Cancel the occurrences still occupying (only those not started yet, by default)."""
        series = self._owned(principal, series_id)
        if series.status == SeriesStatus.CANCELLED:
            raise Conflict("the series is already cancelled", code="already_cancelled")
        _require_active(series)
        now = self._clock.now()
        targets = [
            r
            for r in self._series.occurrences(series)
            if r.occupies and (not future_only or r.window.start >= now)
        ]
        self._cancel(principal, targets, now, reason, {"series_id": series_id})
        return self._settle(series, now, reason)

    def cancel_following(
        self, principal: Principal, series_id: str, from_reservation_id: str, reason: str
    ) -> SeriesResult:
        """Cancel one occurrence and every later one; earlier ones stay booked."""
        series = self._owned(principal, series_id)
        _require_active(series)
        occurrences = self._series.occurrences(series)
        pivot = next((r for r in occurrences if r.reservation_id == from_reservation_id), None)
        if pivot is None:
            raise NotFound(
                "that reservation is not an occurrence of this series",
                code="occurrence_not_in_series",
            )
        targets = [r for r in occurrences if r.occupies and r.window.start >= pivot.window.start]
        if not targets:
            raise Conflict(
                "nothing from that occurrence on is still booked", code="already_cancelled"
            )
        now = self._clock.now()
        details = {"series_id": series_id, "scope": "following"}
        self._cancel(principal, targets, now, reason, details)
        if any(r.occupies and r not in targets for r in occurrences):
            return SeriesResult(series, self._series.occurrences(series))
        return self._settle(series, now, reason)

    def _cancel(
        self,
        principal: Principal,
        targets: Sequence[Reservation],
        now: datetime,
        reason: str,
        details: dict[str, str],
    ) -> None:
        cancel_all(
            self._writer,
            self._reservations,
            targets,
            actor=Actor.of(principal),
            at=now,
            reason=reason,
            details=details,
        )

    def _settle(self, series: Series, now: datetime, reason: str) -> SeriesResult:
        """Nothing of the series occupies time any more: it is cancelled."""
        cancelled = self._series.transition(
            series, SeriesStatus.CANCELLED, now, cancel_reason=reason
        )
        return SeriesResult(cancelled, self._series.occurrences(cancelled))

    def _owned(self, principal: Principal, series_id: str) -> Series:
        series = self._series.get(series_id)
        if series is None or not visible_to(series.user_id, principal):
            raise NotFound("no such series", code="series_not_found")
        return series


def _require_active(series: Series) -> None:
    if series.status != SeriesStatus.ACTIVE:
        raise Conflict(
            f"a {series.status.value} series cannot be cancelled",
            code="not_cancellable",
            details={"status": series.status.value},
        )


def _describe(index: int, window: TimeRange) -> dict[str, Any]:
    return {"occurrence": index, "start_time": iso_z(window.start), "end_time": iso_z(window.end)}


def _series_conflict(
    lost: ReservationConflict, windows: Sequence[TimeRange], positions: Sequence[int] | None
) -> ReservationConflict:
    """409 naming every occurrence that collides, and with what (rendered for the caller)."""
    clashes = (
        lost.clashes if positions is None else {positions[i]: f for i, f in lost.clashes.items()}
    )
    return lost.described(
        "occurrences",
        {index: _describe(index, windows[index]) for index in clashes},
        message=f"{len(clashes)} occurrence(s) of the series are already booked",
        positions=positions,
    )


def _settled(series: Series, status: SeriesStatus) -> Series:
    return replace(series, status=status)
