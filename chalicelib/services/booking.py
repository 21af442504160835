"""Booking use cases: create, reschedule, cancel. One method per use case.

The rules (hours, blackouts, durations...) are pure functions checked before writing; the
invariant (no two occupying reservations overlap) is enforced by the store's transaction,
never by this read. A 409 is answered at once: no sleeping, no stack trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from chalicelib.domain import booking_rules, conflicts
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
)
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations import (
    OCCUPYING,
    HistoryEntry,
    Reservation,
    ReservationStatus,
    TimeRange,
)
from chalicelib.domain.resources import Blackout, BusinessHours, Resource
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.prefetch import InlineExecutor
from chalicelib.services.reservation_access import conflict_error, visible_reservation
from chalicelib.store.booking_tx import Buffers, DuplicateRequest, SlotTaken, StaleItem
from chalicelib.store.idempotency import (
    IdempotencyClaim,
    IdempotencyRecord,
    IdempotencyStore,
    fingerprint,
)
from chalicelib.store.reservation_repo import ReservationRepository

STATUS_CHANGE_ATTEMPTS = 4


class ResourceCatalog(Protocol):
    """What booking needs from the resource catalogue (chalicelib/store/resources.py)."""

    def get(self, resource_id: str) -> Resource: ...

    def get_for_booking(
        self, resource_id: str, days: Sequence[date]
    ) -> tuple[Resource, dict[date, int | None]]: ...

    def hours_for(self, resource: Resource) -> BusinessHours | None: ...

    def blackouts_between(
        self, resource_id: str, start_date: date, end_date: date
    ) -> Sequence[Blackout]: ...


@dataclass(frozen=True)
class BookingRequest:
    resource_id: str
    start_time: datetime
    end_time: datetime
    notes: str = ""
    override: bool = False


@dataclass(frozen=True)
class RescheduleRequest:
    start_time: datetime
    end_time: datetime
    resource_id: str | None = None
    override: bool = False


@dataclass(frozen=True)
class BookingResult:
    reservation: Reservation
    replayed: bool = False  # an Idempotency-Key retry answered with the first result


def to_millis(value: datetime) -> datetime:
    """Instants are kept to the millisecond, the precision of the sort keys."""
    utc = value.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def buffers_of(resource: Resource) -> Buffers:
    return Buffers(resource.policy.buffer_before, resource.policy.buffer_after)


@dataclass(frozen=True)
class _RuleContext:
    resource: Resource
    hours: BusinessHours | None
    blackouts: Sequence[Blackout]
    versions: Mapping[date, int | None]  # day versions read with the resource


class BookingService:
    def __init__(
        self,
        catalog: ResourceCatalog,
        reservations: ReservationRepository,
        idempotency: IdempotencyStore,
        clock: Clock,
        ids: IdFactory,
        *,
        rules: Callable[..., list[str]] = booking_rules.check_booking,
        prefetch: Executor | None = None,
    ) -> None:
        self._catalog = catalog
        self._reservations = reservations
        self._idempotency = idempotency
        self._clock = clock
        self._ids = ids
        self._rules = rules
        self._prefetch = prefetch or InlineExecutor()

    # --- create -----------------------------------------------------------------------------

    def create(
        self, principal: Principal, request: BookingRequest, idempotency_key: str | None = None
    ) -> BookingResult:
        """Book. With an Idempotency-Key the record is written in the booking's transaction,
        so the happy path never reads it: a used key surfaces as a failure (the slot is taken
        by the first attempt, or the record's condition fails), and only then is the first
        outcome looked up and replayed, before any other refusal is reported."""
        window = self._window(request.start_time, request.end_time)
        self._check_override(principal, request.override)
        now = self._clock.now()
        claim = self._claim(principal, request, window, idempotency_key)
        try:
            return self._book(principal, request, window, now, claim)
        except DuplicateRequest:
            return self._replay_or_fail(claim, now)
        except SlotTaken as exc:
            outcome = self._refused(exc, principal, claim, now)
            if isinstance(outcome, BookingResult):
                return outcome
            raise outcome from None
        except DomainError:
            replayed = self._replay(claim, now) if claim is not None else None
            if replayed is None:
                raise
            return replayed

    def _book(
        self,
        principal: Principal,
        request: BookingRequest,
        window: TimeRange,
        now: datetime,
        claim: IdempotencyClaim | None,
    ) -> BookingResult:
        context = self._context(request.resource_id, window)
        resource, overridden = self._check_rules(context, window, now, request.override)
        reservation = Reservation(
            reservation_id=self._ids.new_id(),
            resource_id=resource.resource_id,
            user_id=principal.subject_id,
            window=window,
            status=self._initial_status(resource),
            created_at=now,
            notes=request.notes,
            override_by=principal.subject_id if overridden else None,
        )
        entry = HistoryEntry(
            now, principal.subject_id, "created", details=_created_details(reservation, overridden)
        )
        self._reservations.create(
            reservation, entry, buffers_of(resource), claim, versions=context.versions
        )
        return BookingResult(reservation)

    def _claim(
        self, principal: Principal, request: BookingRequest, window: TimeRange, key: str | None
    ) -> IdempotencyClaim | None:
        if key is None:
            return None
        payload = {
            "resource_id": request.resource_id,
            "start_time": iso_z(window.start),
            "end_time": iso_z(window.end),
            "notes": request.notes,
            "override": request.override,
        }
        return IdempotencyClaim(
            principal.subject_id, key, fingerprint("create_reservation", payload)
        )

    def _replay(self, claim: IdempotencyClaim, now: datetime) -> BookingResult | None:
        record = self._idempotency.lookup(claim, now)
        return None if record is None else self._answer(record)

    def _answer(self, record: IdempotencyRecord) -> BookingResult:
        if record.outcome == "conflict":
            raise Conflict(
                "the resource is already booked for (part of) this time",
                code="reservation_conflict",
                details=record.details,
            )
        found = self._reservations.get(record.reservation_id or "")
        if found is None:
            raise NotFound("the reservation no longer exists", code="reservation_not_found")
        return BookingResult(found, replayed=True)

    def _replay_or_fail(self, claim: IdempotencyClaim | None, now: datetime) -> BookingResult:
        replay = None if claim is None else self._replay(claim, now)
        if replay is None:  # the record vanished between the failed write and this read
            raise TooManyRequests(
                "a request with this Idempotency-Key is in flight; retry",
                retry_after=1,
                code="idempotency_in_flight",
            )
        return replay

    def _refused(
        self,
        exc: SlotTaken,
        principal: Principal,
        claim: IdempotencyClaim | None,
        now: datetime,
    ) -> BookingResult | Conflict:
        """The 409 for a genuine overlap; with an Idempotency-Key it is recorded, unless a
        concurrent twin with the same key committed first (then its result is replayed)."""
        error = conflict_error(exc.occupants, principal)
        if claim is None:
            return error
        record = self._idempotency.lookup(claim, now)
        if record is None:
            if self._idempotency.record_conflict(claim, error.details, now):
                return error
            record = self._idempotency.lookup(claim, now)
            if record is None:
                return error
        try:
            return self._answer(record)
        except Conflict as recorded:
            return recorded

    # --- reschedule -------------------------------------------------------------------------

    def reschedule(
        self, principal: Principal, reservation_id: str, request: RescheduleRequest
    ) -> Reservation:
        window = self._window(request.start_time, request.end_time)
        self._check_override(principal, request.override)
        current = self.owned(principal, reservation_id)
        if current.status not in {ReservationStatus.ACTIVE, ReservationStatus.PENDING_APPROVAL}:
            raise Conflict(
                f"a {current.status.value} reservation cannot be rescheduled",
                code="not_reschedulable",
                details={"status": current.status.value},
            )
        target_id = request.resource_id or current.resource_id
        if target_id == current.resource_id and window == current.window:
            return current
        now = self._clock.now()
        context = self._context(target_id, window)
        resource, overridden = self._check_rules(context, window, now, request.override)
        updated = replace(
            current,
            resource_id=target_id,
            window=window,
            status=self._moved_status(current, resource, principal),
            override_by=principal.subject_id if overridden else current.override_by,
        )
        entry = HistoryEntry(
            now,
            principal.subject_id,
            "rescheduled",
            details=_moved_details(current, updated, overridden),
        )
        try:
            return self._reservations.reschedule(
                current, updated, entry, buffers_of(resource), context.versions
            )
        except SlotTaken as exc:
            raise conflict_error(exc.occupants, principal) from None

    def _moved_status(
        self, current: Reservation, target: Resource, principal: Principal
    ) -> ReservationStatus:
        """Moving onto a resource that needs approval needs approval (unless an admin moves it);
        a pending request moved to one that does not is simply booked."""
        if not target.requires_approval:
            return ReservationStatus.ACTIVE
        if current.status == ReservationStatus.PENDING_APPROVAL or not principal.is_admin:
            return ReservationStatus.PENDING_APPROVAL
        return current.status

    # --- cancel -----------------------------------------------------------------------------

    def cancel(self, principal: Principal, reservation_id: str, reason: str) -> Reservation:
        for _ in range(STATUS_CHANGE_ATTEMPTS):
            current = self.owned(principal, reservation_id)
            if current.status == ReservationStatus.CANCELLED:
                raise Conflict("the reservation is already cancelled", code="already_cancelled")
            if not current.occupies:
                raise Conflict(
                    f"a {current.status.value} reservation cannot be cancelled",
                    code="not_cancellable",
                    details={"status": current.status.value},
                )
            details = {} if current.user_id == principal.subject_id else {"on_behalf_of": "owner"}
            entry = HistoryEntry(
                self._clock.now(), principal.subject_id, "cancelled", reason, details
            )
            try:
                return self._reservations.change_status(
                    current,
                    ReservationStatus.CANCELLED,
                    entry,
                    from_statuses=OCCUPYING,
                    cancel_reason=reason,
                )
            except StaleItem:
                continue  # changed meanwhile (rescheduled, approved...): decide again
        raise TooManyRequests(
            "the reservation keeps changing; retry", retry_after=1, code="booking_contention"
        )

    # --- shared -----------------------------------------------------------------------------

    def owned(self, principal: Principal, reservation_id: str) -> Reservation:
        """The reservation if the caller owns it or is an admin; 404 otherwise (no leak)."""
        found = self._reservations.get(reservation_id)
        if found is None or not visible_reservation(found.user_id, principal):
            raise NotFound("no such reservation", code="reservation_not_found")
        return found

    @staticmethod
    def _window(start: datetime, end: datetime) -> TimeRange:
        checked = booking_rules.validate_window_input(start, end)
        return booking_rules.validate_window_input(to_millis(checked.start), to_millis(checked.end))

    @staticmethod
    def _check_override(principal: Principal, override: bool) -> None:
        if override and not principal.is_admin:
            raise Forbidden(
                "only administrators may override business hours and blackouts",
                code="override_forbidden",
            )

    def _context(self, resource_id: str, window: TimeRange) -> _RuleContext:
        """The resource (+ its hours, and the day versions of the window's UTC days, in the
        same read) and the blackouts, read concurrently. Blackouts are fetched for the window's
        UTC dates +-1 day, which covers its dates in every zone."""
        first = window.start.date() - timedelta(days=1)
        last = window.end.date() + timedelta(days=1)
        blackouts = self._prefetch.submit(self._catalog.blackouts_between, resource_id, first, last)
        resource, versions = self._catalog.get_for_booking(resource_id, conflicts.utc_days(window))
        hours = self._catalog.hours_for(resource)
        return _RuleContext(resource, hours, blackouts.result(), versions)

    def _check_rules(
        self, context: _RuleContext, window: TimeRange, now: datetime, override: bool
    ) -> tuple[Resource, list[str]]:
        overridden = self._rules(
            context.resource,
            window,
            now=now,
            hours=context.hours,
            blackouts=context.blackouts,
            override=override,
        )
        return context.resource, overridden

    @staticmethod
    def _initial_status(resource: Resource) -> ReservationStatus:
        # A pending request occupies its slot: the old product let pending requests double-book.
        if resource.requires_approval:
            return ReservationStatus.PENDING_APPROVAL
        return ReservationStatus.ACTIVE


def _created_details(reservation: Reservation, overridden: list[str]) -> dict[str, str]:
    details = {
        "resource_id": reservation.resource_id,
        "start_time": iso_z(reservation.window.start),
        "end_time": iso_z(reservation.window.end),
        "status": reservation.status.value,
    }
    if overridden:
        details["override"] = ",".join(overridden)
    return details


def _moved_details(
    before: Reservation, after: Reservation, overridden: list[str]
) -> dict[str, str]:
    details = {
        "old_resource_id": before.resource_id,
        "old_start_time": iso_z(before.window.start),
        "old_end_time": iso_z(before.window.end),
        "new_resource_id": after.resource_id,
        "new_start_time": iso_z(after.window.start),
        "new_end_time": iso_z(after.window.end),
    }
    if overridden:
        details["override"] = ",".join(overridden)
    return details
