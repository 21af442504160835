"""Recurring series: create (all or nothing), read, cancel.

Create: expand the rule in the resource's zone, check every occurrence against the rules and
against each other, pre-check conflicts (read only: the common refusal costs no write), then
write the series (`creating`), its occurrences in chunks of at most 100 transaction items,
and finally mark it `active`. Each chunk is the same conditional day-version transaction as a
single booking; if one loses a race, the chunks already written are cancelled again and the
series ends `failed`: the caller gets a 409 and holds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain import booking_rules, conflicts, recurrence
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import HistoryEntry, Reservation, ReservationStatus, TimeRange
from chalicelib.domain.resources import Resource
from chalicelib.domain.series import Series, SeriesStatus
from chalicelib.domain.timeutil import iso_z
from chalicelib.observability import logger
from chalicelib.services.anchor_replay import ensure_settled, replayed_anchor_id
from chalicelib.services.booking import ResourceCatalog, buffers_of, to_millis
from chalicelib.services.reservation_access import conflict_error, visible_reservation
from chalicelib.store.booking_tx import (
    Buffers,
    DuplicateRequest,
    SlotTaken,
    find_conflicts,
    occupants_around,
)
from chalicelib.store.idempotency import IdempotencyClaim, IdempotencyStore, fingerprint
from chalicelib.store.reservation_repo import ReservationRepository, plan_chunks
from chalicelib.store.series import SeriesRepository

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
        reservations: ReservationRepository,
        series: SeriesRepository,
        idempotency: IdempotencyStore,
        clock: Clock,
        *,
        ids: IdFactory,
        rules: Callable[..., list[str]] = booking_rules.check_booking,
    ) -> None:
        self._catalog = catalog
        self._reservations = reservations
        self._series = series
        self._idempotency = idempotency
        self._clock = clock
        self._ids = ids
        self._rules = rules

    # --- create -----------------------------------------------------------------------------

    def create(
        self, principal: Principal, request: SeriesRequest, idempotency_key: str | None = None
    ) -> SeriesResult:
        plan = self._plan(principal, request, idempotency_key)
        if plan.claim is not None and (replay := self._replay(plan.claim, plan.now)) is not None:
            return replay
        plan.resource = self._catalog.get(request.resource_id)
        plan.buffers = buffers_of(plan.resource)
        plan.windows = self._expand(plan)
        self._check_all(plan)
        self._precheck(plan)
        series, bookings, entries = self._draft(plan)
        try:
            self._series.start(series, plan.claim)
        except DuplicateRequest:
            replay = self._replay(plan.claim, plan.now) if plan.claim else None
            if replay is None:
                raise Conflict(
                    "this request is already being processed", code="series_in_progress"
                ) from None
            return replay
        return self._write(plan, series, bookings, entries)

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

    def _replay(self, claim: IdempotencyClaim, now: datetime) -> SeriesResult | None:
        series_id = replayed_anchor_id(
            self._idempotency, claim, now, "series", "the resource is already booked"
        )
        if series_id is None:
            return None
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
        blackouts = self._catalog.blackouts_between(
            resource.resource_id,
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
        occupants = occupants_around(rid, plan.windows, plan.buffers, plan.now)
        by_window = {}
        for index, window in enumerate(plan.windows):
            found = find_conflicts(window, occupants, plan.buffers)
            if found:
                by_window[index] = found
        if not by_window:
            return
        unique = {o.reservation_id: o for found in by_window.values() for o in found}
        taken = SlotTaken(list(unique.values()), by_window)
        error = _series_conflict(taken, plan.windows, 0, plan.principal)
        if plan.request.conflict_policy == "skip_conflicts" and len(by_window) < len(plan.windows):
            plan.skipped = error.details["occurrences"]
            plan.windows = [w for i, w in enumerate(plan.windows) if i not in by_window]
            return
        if plan.claim is not None:
            self._idempotency.record_conflict(plan.claim, error.details, plan.now)
        raise error

    def _draft(self, plan: _Plan) -> tuple[Series, list[Reservation], list[HistoryEntry]]:
        resource, principal, now = plan.catalogued, plan.principal, plan.now
        series_id = self._ids.new_id()
        status = (
            ReservationStatus.PENDING_APPROVAL
            if resource.requires_approval
            else ReservationStatus.ACTIVE
        )
        bookings = [
            Reservation(
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
            for window in plan.windows
        ]
        details = {"series_id": series_id, "resource_id": resource.resource_id}
        if plan.overridden:
            details["override"] = ",".join(sorted(plan.overridden))
        entries = [
            HistoryEntry(
                now,
                principal.subject_id,
                "created",
                details={
                    **details,
                    "start_time": iso_z(b.window.start),
                    "end_time": iso_z(b.window.end),
                },
            )
            for b in bookings
        ]
        series = Series(
            series_id=series_id,
            resource_id=resource.resource_id,
            user_id=principal.subject_id,
            rule=plan.rule,
            first=plan.first,
            status=SeriesStatus.CREATING,
            created_at=now,
            occurrence_ids=tuple(b.reservation_id for b in bookings),
            notes=plan.request.notes,
            exdates=(
                *(str(d) for d in plan.request.exdates),
                *(str(s["start_time"]) for s in plan.skipped),
            ),
        )
        return series, bookings, entries

    def _write(
        self,
        plan: _Plan,
        series: Series,
        bookings: list[Reservation],
        entries: list[HistoryEntry],
    ) -> SeriesResult:
        by_id = dict(zip((b.reservation_id for b in bookings), entries, strict=True))
        written: list[Reservation] = []
        try:
            for chunk in plan_chunks(bookings, plan.buffers):
                chunk_entries = [by_id[b.reservation_id] for b in chunk]
                self._reservations.create_many(chunk, chunk_entries, plan.buffers)
                written += chunk
        except SlotTaken as exc:
            error = _series_conflict(exc, plan.windows, len(written), plan.principal)
            self._roll_back(plan, series, written, error.details)
            raise error from None
        except Exception:
            self._roll_back(plan, series, written, {"reason": "write failed"})
            raise
        active = self._series.transition(series, SeriesStatus.ACTIVE, plan.now)
        return SeriesResult(active, bookings, skipped=plan.skipped)

    def _roll_back(
        self, plan: _Plan, series: Series, written: list[Reservation], failure: dict[str, Any]
    ) -> None:
        """Compensation: cancel what was written, mark the series failed. If this itself
        fails, the series stays `creating` for a cleanup job to finish (logged)."""
        try:
            entry = HistoryEntry(plan.now, plan.principal.subject_id, "cancelled", ROLLBACK_REASON)
            self._reservations.cancel_many(written, entry, ROLLBACK_REASON)
            self._series.transition(series, SeriesStatus.FAILED, plan.now, failure=failure)
        except Exception:
            logger.exception("series rollback incomplete", extra={"series_id": series.series_id})

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
        entry = HistoryEntry(
            now, principal.subject_id, "cancelled", reason, {"series_id": series_id}
        )
        self._reservations.cancel_many(targets, entry, reason)
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
        entry = HistoryEntry(
            now,
            principal.subject_id,
            "cancelled",
            reason,
            {"series_id": series_id, "scope": "following"},
        )
        self._reservations.cancel_many(targets, entry, reason)
        remaining = [r for r in occurrences if r.occupies and r not in targets]
        if remaining:
            return SeriesResult(series, self._series.occurrences(series))
        cancelled = self._series.transition(
            series, SeriesStatus.CANCELLED, now, cancel_reason=reason
        )
        return SeriesResult(cancelled, self._series.occurrences(cancelled))

    def _owned(self, principal: Principal, series_id: str) -> Series:
        series = self._series.get(series_id)
        if series is None or not visible_reservation(series.user_id, principal):
            raise NotFound("no such series", code="series_not_found")
        return series


def _describe(index: int, window: TimeRange) -> dict[str, Any]:
    return {"occurrence": index, "start_time": iso_z(window.start), "end_time": iso_z(window.end)}


def _series_conflict(
    exc: SlotTaken, windows: Sequence[TimeRange], offset: int, principal: Principal
) -> Conflict:
    """409 naming every occurrence that collides, and with what (caller-safe)."""
    occurrences = []
    for index, found in sorted(exc.by_window.items()):
        safe = conflict_error(found, principal).details["conflicts"]
        occurrences.append(
            {**_describe(offset + index, windows[offset + index]), "conflicts": safe}
        )
    summary = conflict_error(exc.occupants, principal).details["conflicts"]
    return Conflict(
        f"{len(occurrences)} occurrence(s) of the series are already booked",
        code="reservation_conflict",
        details={"conflicts": summary, "occurrences": occurrences},
    )
