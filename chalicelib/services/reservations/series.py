"""Recurring series: create (all or nothing), read, cancel.

Create: expand the rule in the resource's zone, check every occurrence against the rules and
against each other, pre-check conflicts (read only: the common refusal costs no write), then
write the series and its occurrences through the one anchored writer (anchored_write.py):
one transaction when it fits, else the series `creating`, its occurrences in fenced chunks,
then `active`; a lost race rolls the written chunks back and the caller gets a 409 and holds
nothing. The Idempotency-Key flow is idempotent.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal, visible_to
from chalicelib.domain.reservations import (
    Actor,
    Reservation,
    TimeRange,
    booking_rules,
    conflicts,
    recurrence,
)
from chalicelib.domain.reservations.bulk import MAX_TRANSACTION_ITEMS, ItemCost, plan_chunks
from chalicelib.domain.reservations.conflicts import Buffers, ReservationConflict, find_conflicts
from chalicelib.domain.reservations.series import Series, SeriesStatus
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.anchored_write import (
    AnchoredCreate,
    AnchoredWriter,
    cancel_all,
)
from chalicelib.services.reservations.booking import buffers_of, initial_status, to_millis
from chalicelib.services.reservations.idempotent import IdempotentCreates, ensure_settled
from chalicelib.services.reservations.ports import (
    ReservationReads,
    ReservationWriter,
    ResourceCatalog,
    SeriesAnchors,
)
from chalicelib.store.reservations.idempotency import IdempotencyClaim, fingerprint
from chalicelib.store.reservations.writer import Booking

ROLLBACK_REASON = "series creation rolled back"


@dataclass(frozen=True)
class SeriesRequest:
    resource_id: str
    start_time: datetime
    end_time: datetime
    rrule: str | None = None
    simple: Mapping[str, Any] | None = None  # the old API's frequency/interval/days/end
    exdates: Sequence[date | datetime] = ()
    notes: str = ""
    override: bool = False
    # all_or_nothing: any taken occurrence refuses the series (409 naming each one);
    # skip_conflicts: occurrences already taken at request time are left out and reported.
    conflict_policy: str = "all_or_nothing"


@dataclass(frozen=True)
class SeriesResult:
    series: Series
    occurrences: list[Reservation]
    replayed: bool = False
    skipped: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Plan:
    """One create request as it is worked out step by step."""

    principal: Principal
    request: SeriesRequest
    first: TimeRange
    rule: str
    now: datetime
    claim: IdempotencyClaim | None = None
    resource: Resource | None = None
    windows: list[TimeRange] = field(default_factory=list)
    buffers: Buffers = field(default_factory=Buffers)
    overridden: set[str] = field(default_factory=set)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def catalogued(self) -> Resource:
        assert self.resource is not None, "the resource is read before it is used"
        return self.resource


class SeriesService:
    def __init__(
        self,
        catalog: ResourceCatalog,
        reservations: ReservationReads,
        series: SeriesAnchors,
        clock: Clock,
        *,
        writer: ReservationWriter,
        idempotency: IdempotentCreates,
        ids: IdFactory,
        rules: Callable[..., list[str]] = booking_rules.check_booking,
    ) -> None:
        self._catalog = catalog
        self._reservations = reservations
        self._series = series
        self._writer = writer
        self._anchored: AnchoredWriter[Series, SeriesStatus] = AnchoredWriter(
            writer, series, reservations, "series"
        )
        self._idempotency = idempotency
        self._clock = clock
        self._ids = ids
        self._rules = rules

    # --- create -----------------------------------------------------------------------------

    def create(
        self, principal: Principal, request: SeriesRequest, idempotency_key: str | None = None
    ) -> SeriesResult:
        plan = self._plan(principal, request, idempotency_key)
        return self._idempotency.run(
            principal,
            plan.claim,
            "series",
            lambda: self._create(plan),
            self._replay,
            look_first=True,  # a retry skips the expansion and the pre-check
        )

    def _create(self, plan: _Plan) -> SeriesResult:
        plan.resource = self._catalog.get(plan.request.resource_id)
        plan.buffers = buffers_of(plan.resource)
        plan.windows = self._expand(plan)
        self._check_all(plan)
        self._precheck(plan)
        series, bookings = self._draft(plan)
        active = self._anchored.write(
            AnchoredCreate(
                creating=series,
                done=_settled(series, SeriesStatus.ACTIVE),
                done_status=SeriesStatus.ACTIVE,
                failed_status=SeriesStatus.FAILED,
                entity_id=series.series_id,
                bookings=bookings,
                chunks=_chunks(bookings),
                actor=Actor.of(plan.principal),
                now=plan.now,
                rollback_reason=ROLLBACK_REASON,
                interrupted_code="series_interrupted",
                explain=lambda lost, positions: _series_conflict(lost, plan.windows, positions),
                claim=plan.claim,
            )
        )
        return SeriesResult(active, [b.reservation for b in bookings], skipped=plan.skipped)

    def _plan(self, principal: Principal, request: SeriesRequest, key: str | None) -> _Plan:
        first = booking_rules.validate_window_input(request.start_time, request.end_time)
        first = TimeRange(to_millis(first.start), to_millis(first.end))
        if request.override and not principal.is_admin:
            raise Forbidden(
                "only administrators may override business hours and blackouts",
                code="override_forbidden",
            )
        rule = request.rrule or recurrence.rrule_from_simple(request.simple or {})
        plan = _Plan(principal, request, first, rule, self._clock.now())
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

    def _expand(self, plan: _Plan) -> list[TimeRange]:
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

    def _check_all(self, plan: _Plan) -> None:
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

    def _precheck(self, plan: _Plan) -> None:
        """Read-only: the usual refusal (some occurrence is taken) costs no write at all."""
        rid = plan.catalogued.resource_id
        occupants = self._reservations.occupants(rid, plan.windows, plan.buffers, plan.now)
        clashes = {}
        for index, window in enumerate(plan.windows):
            found = find_conflicts(window, occupants, plan.buffers)
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

    def _draft(self, plan: _Plan) -> tuple[Series, list[Booking]]:
        resource, principal, now = plan.catalogued, plan.principal, plan.now
        series_id = self._ids.new_id()
        status = initial_status(resource)
        details = {"series_id": series_id, "resource_id": resource.resource_id}
        if plan.overridden:
            details["override"] = ",".join(sorted(plan.overridden))
        actor = Actor.of(principal)
        bookings = []
        for window in plan.windows:
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
            )
            entry = reservation.created_entry(
                actor,
                {**details, "start_time": iso_z(window.start), "end_time": iso_z(window.end)},
            )
            bookings.append(Booking(reservation, entry, plan.buffers))
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
        if series.status != SeriesStatus.ACTIVE:
            raise Conflict(
                f"a {series.status.value} series cannot be cancelled",
                code="not_cancellable",
                details={"status": series.status.value},
            )
        now = self._clock.now()
        targets = [
            r
            for r in self._series.occurrences(series)
            if r.occupies and (not future_only or r.window.start >= now)
        ]
        cancel_all(
            self._writer,
            self._reservations,
            targets,
            actor=Actor.of(principal),
            at=now,
            reason=reason,
            details={"series_id": series_id},
        )
        cancelled = self._series.transition(
            series, SeriesStatus.CANCELLED, now, cancel_reason=reason
        )
        return SeriesResult(cancelled, self._series.occurrences(cancelled))

    def cancel_following(
        self, principal: Principal, series_id: str, from_reservation_id: str, reason: str
    ) -> SeriesResult:
        """Cancel one occurrence and every later one; earlier ones stay booked."""
        series = self._owned(principal, series_id)
        if series.status != SeriesStatus.ACTIVE:
            raise Conflict(
                f"a {series.status.value} series cannot be cancelled",
                code="not_cancellable",
                details={"status": series.status.value},
            )
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
        cancel_all(
            self._writer,
            self._reservations,
            targets,
            actor=Actor.of(principal),
            at=now,
            reason=reason,
            details={"series_id": series_id, "scope": "following"},
        )
        remaining = [r for r in occurrences if r.occupies and r not in targets]
        if remaining:
            return SeriesResult(series, self._series.occurrences(series))
        cancelled = self._series.transition(
            series, SeriesStatus.CANCELLED, now, cancel_reason=reason
        )
        return SeriesResult(cancelled, self._series.occurrences(cancelled))

    def _owned(self, principal: Principal, series_id: str) -> Series:
        series = self._series.get(series_id)
        if series is None or not visible_to(series.user_id, principal):
            raise NotFound("no such series", code="series_not_found")
        return series


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


def _chunks(bookings: Sequence[Booking]) -> list[list[int]]:
    """Transactions of at most 100 items; the one-transaction case leaves room for the series
    item and the Idempotency-Key record, a chunk for its fence."""
    costs = [
        ItemCost(
            i,
            frozenset(
                (b.reservation.resource_id, d) for d in b.buffers.days([b.reservation.window])
            ),
        )
        for i, b in enumerate(bookings)
    ]
    whole = plan_chunks(costs, MAX_TRANSACTION_ITEMS - 2)
    return whole if len(whole) == 1 else plan_chunks(costs, MAX_TRANSACTION_ITEMS - 1)
