"""Booking use cases: create, reschedule, cancel. One method per use case.

The rules (hours, blackouts, durations...) are pure functions checked before writing; the
invariant (no two occupying reservations overlap) is enforced by the store's transaction,
never by this read. A 409 is answered at once: no sleeping, no stack trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import (
    DomainError,
    Forbidden,
    NotFound,
    RuleViolation,
    TooManyRequests,
)
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal, visible_to
from chalicelib.domain.quotas.charge import QuotaCharge
from chalicelib.domain.quotas.rules import QuotaPlan
from chalicelib.domain.reservations import (
    Actor,
    Reservation,
    ReservationStatus,
    TimeRange,
    Transition,
    booking_rules,
)
from chalicelib.domain.reservations.conflicts import Buffers, ReservationConflict
from chalicelib.domain.reservations.denials import combined
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.quotas.gate import QUOTA_OVERRIDE, QuotaGate
from chalicelib.services.reservations.idempotent import IdempotentCreates
from chalicelib.services.reservations.plan_b import PlanB
from chalicelib.services.reservations.ports import (
    ReservationReads,
    ReservationWriter,
    ResourceCatalog,
)
from chalicelib.store.reservations.booking_tx import QuotaExceeded, StaleItem
from chalicelib.store.reservations.idempotency import IdempotencyClaim, fingerprint
from chalicelib.store.reservations.writer import Booking, IdempotencyRecord, Move

STATUS_CHANGE_ATTEMPTS = 4


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
class BookingDeps:
    """What every booking use case (single, series, bulk) works with."""

    catalog: ResourceCatalog
    reservations: ReservationReads
    clock: Clock
    writer: ReservationWriter
    idempotency: IdempotentCreates
    ids: IdFactory
    rules: Callable[..., list[str]] = booking_rules.check_booking
    quotas: QuotaGate | None = None  # issue 13: None books without quotas (tests' fakes)
    plan_b: PlanB | None = None  # issue 13: alternatives offered with a refusal


class BookingService:
    def __init__(self, deps: BookingDeps) -> None:
        self._catalog = deps.catalog
        self._reservations = deps.reservations
        self._writer = deps.writer
        self._idempotency = deps.idempotency
        self._clock = deps.clock
        self._ids = deps.ids
        self._rules = deps.rules
        self._quotas = deps.quotas
        self._plan_b = deps.plan_b

    # --- create -----------------------------------------------------------------------------

    def create(
        self, principal: Principal, request: BookingRequest, idempotency_key: str | None = None
    ) -> BookingResult:
        """Book (once per Idempotency-Key: see services/reservations/idempotent.py)."""
        window = self._window(request.start_time, request.end_time)
        require_override_right(principal, request.override)
        claim = self._claim(principal, request, window, idempotency_key)

        def book() -> BookingResult:
            return BookingResult(self._book(principal, request, window, claim))

        def replay(reservation_id: str) -> BookingResult:
            found = self._reservations.get(reservation_id)
            if found is None:
                raise NotFound("the reservation no longer exists", code="reservation_not_found")
            return BookingResult(found, replayed=True)

        try:
            return self._idempotency.run(principal, claim, "created", book, replay)
        except (ReservationConflict, RuleViolation) as refused:
            self._offer_plan_b(principal, request, window, refused)
            raise

    def _offer_plan_b(
        self,
        principal: Principal,
        request: BookingRequest,
        window: TimeRange,
        refused: ReservationConflict | RuleViolation,
    ) -> None:
        """Attach ranked alternatives to a refusal (a read-only search, on the failure path)."""
        if self._plan_b is None:
            return
        try:
            resource = self._catalog.get(request.resource_id)
            found = self._plan_b.alternatives(principal, resource, window, self._clock.now())
        except DomainError:
            return  # nothing sensible to offer (e.g. the resource is gone)
        offered = [a.as_dict(request.notes) for a in found]
        if isinstance(refused, ReservationConflict):
            refused.alternatives = offered
        elif isinstance(refused.details, dict):
            refused.details["alternatives"] = offered

    def _book(
        self,
        principal: Principal,
        request: BookingRequest,
        window: TimeRange,
        claim: IdempotencyClaim | None,
    ) -> Reservation:
        now = self._clock.now()

        def decide(resource: Resource) -> Booking:
            overridden, plan = self._check_all(principal, resource, window, now, request.override)
            reservation = Reservation(
                reservation_id=self._ids.new_id(),
                resource_id=resource.resource_id,
                user_id=principal.subject_id,
                window=window,
                status=initial_status(resource),
                created_at=now,
                notes=request.notes,
                override_by=principal.subject_id if overridden else None,
                quota_charges=plan.charges,
            )
            entry = reservation.created_entry(
                Actor.of(principal), created_details(reservation, overridden)
            )
            return Booking(reservation, entry, buffers_of(resource), plan.limits)

        def record(booking: Booking) -> IdempotencyRecord | None:
            if claim is None:
                return None
            return IdempotencyRecord(claim, booking.reservation.reservation_id)

        try:
            return self._writer.book(request.resource_id, window, decide, record=record)
        except QuotaExceeded as exc:
            raise self._quota_race_lost(principal, request.resource_id, window, now) from exc

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

    # --- reschedule -------------------------------------------------------------------------

    def reschedule(
        self, principal: Principal, reservation_id: str, request: RescheduleRequest
    ) -> Reservation:
        window = self._window(request.start_time, request.end_time)
        require_override_right(principal, request.override)
        current = self.owned(principal, reservation_id)
        current.require(Transition.RESCHEDULE)
        target_id = request.resource_id or current.resource_id
        if target_id == current.resource_id and window == current.window:
            return current
        now = self._clock.now()

        def decide(resource: Resource) -> Move:
            overridden, plan = self._check_all(
                principal,
                resource,
                window,
                now,
                request.override,
                owner=current.user_id,
                given_back=current.quota_charges,
            )
            change = current.reschedule(
                Actor.of(principal),
                now,
                resource_id=resource.resource_id,
                window=window,
                status=moved_status(current, resource, principal),
                details=moved_details(current, resource.resource_id, window, overridden),
                override_by=principal.subject_id if overridden else current.override_by,
                quota_charges=plan.charges,
            )
            return Move(change, buffers_of(resource), plan.limits)

        try:
            return self._writer.move(target_id, window, decide)
        except QuotaExceeded as exc:
            raise self._quota_race_lost(principal, target_id, window, now) from exc

    # --- cancel -----------------------------------------------------------------------------

    def cancel(self, principal: Principal, reservation_id: str, reason: str) -> Reservation:
        for _ in range(STATUS_CHANGE_ATTEMPTS):
            current = self.owned(principal, reservation_id)
            details = {} if current.user_id == principal.subject_id else {"on_behalf_of": "owner"}
            change = current.cancel(Actor.of(principal), self._clock.now(), reason, details)
            try:
                return self._writer.apply(change)
            except StaleItem:
                continue  # changed meanwhile (rescheduled, approved...): decide again
        raise TooManyRequests(
            "the reservation keeps changing; retry", retry_after=1, code="booking_contention"
        )

    # --- shared -----------------------------------------------------------------------------

    def owned(self, principal: Principal, reservation_id: str) -> Reservation:
        """The reservation if the caller owns it or is an admin; 404 otherwise (no leak)."""
        found = self._reservations.get(reservation_id)
        if found is None or not visible_to(found.user_id, principal):
            raise NotFound("no such reservation", code="reservation_not_found")
        return found

    @staticmethod
    def _window(start: datetime, end: datetime) -> TimeRange:
        return normalized_window(start, end)

    def _check_all(
        self,
        principal: Principal,
        resource: Resource,
        window: TimeRange,
        now: datetime,
        override: bool,
        *,
        owner: str | None = None,
        given_back: tuple[QuotaCharge, ...] = (),
    ) -> tuple[list[str], QuotaPlan]:
        """The booking rules and the quotas together: ONE RuleViolation naming every rule
        broken (issue 13), else what was overridden and the quota plan to charge."""
        found: list[RuleViolation] = []
        overridden: list[str] = []
        try:
            overridden = self._check_rules(resource, window, now, override)
        except RuleViolation as broken:
            found.append(broken)
        plan = QuotaPlan()
        if self._quotas is not None:
            outcome = self._quotas.evaluate(
                principal, resource, window, now, user_id=owner, given_back=given_back
            )
            found += outcome.violations()
            plan = outcome.plan
            if plan.exempt:
                overridden.append(QUOTA_OVERRIDE)
        if found:
            raise combined(found)
        return overridden, plan

    def _quota_race_lost(
        self, principal: Principal, resource_id: str, window: TimeRange, now: datetime
    ) -> RuleViolation:
        """A concurrent booking filled a counter between our read and our write: explain
        with fresh numbers."""
        if self._quotas is not None:
            resource = self._catalog.get(resource_id)
            found = self._quotas.evaluate(principal, resource, window, now).violations()
            if found:
                return combined(found)
        return RuleViolation(
            "a quota limit was reached by another booking just now",
            code="quota_exceeded",
            details={"violations": []},
        )

    def _check_rules(
        self, resource: Resource, window: TimeRange, now: datetime, override: bool
    ) -> list[str]:
        """The rules that cannot be raced, checked before the write. Blackouts are read for
        the window's UTC dates +-1 day, which covers its dates in every zone (and only when
        the resource may have some: see `ResourceCatalog.blackouts_for`)."""
        first = window.start.date() - timedelta(days=1)
        last = window.end.date() + timedelta(days=1)
        return self._rules(
            resource,
            window,
            now=now,
            hours=self._catalog.hours_for(resource),
            blackouts=self._catalog.blackouts_for(resource, first, last),
            override=override,
        )


def normalized_window(start: datetime, end: datetime) -> TimeRange:
    """The requested window checked for shape, in UTC, to the millisecond."""
    checked = booking_rules.validate_window_input(start, end)
    return booking_rules.validate_window_input(to_millis(checked.start), to_millis(checked.end))


def require_override_right(principal: Principal, override: bool) -> None:
    """Only administrators may book outside business hours or into a blackout."""
    if override and not principal.is_admin:
        raise Forbidden(
            "only administrators may override business hours and blackouts",
            code="override_forbidden",
        )


def initial_status(resource: Resource) -> ReservationStatus:
    # A pending request occupies its slot: the old product let pending requests double-book.
    if resource.requires_approval:
        return ReservationStatus.PENDING_APPROVAL
    return ReservationStatus.ACTIVE


def moved_status(current: Reservation, target: Resource, principal: Principal) -> ReservationStatus:
    """Moving onto a resource that needs approval needs approval (unless an admin moves it);
    a pending request moved to one that does not is simply booked."""
    if not target.requires_approval:
        return ReservationStatus.ACTIVE
    if current.status == ReservationStatus.PENDING_APPROVAL or not principal.is_admin:
        return ReservationStatus.PENDING_APPROVAL
    return current.status


def created_details(reservation: Reservation, overridden: list[str]) -> dict[str, str]:
    details = {
        "resource_id": reservation.resource_id,
        "start_time": iso_z(reservation.window.start),
        "end_time": iso_z(reservation.window.end),
        "status": reservation.status.value,
    }
    if overridden:
        details["override"] = ",".join(overridden)
    return details


def moved_details(
    before: Reservation, resource_id: str, window: TimeRange, overridden: list[str]
) -> dict[str, str]:
    details = {
        "old_resource_id": before.resource_id,
        "old_start_time": iso_z(before.window.start),
        "old_end_time": iso_z(before.window.end),
        "new_resource_id": resource_id,
        "new_start_time": iso_z(window.start),
        "new_end_time": iso_z(window.end),
    }
    if overridden:
        details["override"] = ",".join(overridden)
    return details
