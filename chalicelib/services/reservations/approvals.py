"""Approval use cases (issue 10): the approver's queue, my requests, respond, withdraw, and
the chain setting. The rules are pure (`domain/reservations/approvals.py`); the last step's
approval goes through the booking writer's `confirm` (the invariant re-checked atomically,
overlapping requests rejected in the same transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.catalog.approval import ApprovalStep, effective_chain, settings_from_dict
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RuleViolation,
    TooManyRequests,
)
from chalicelib.domain.principal import Principal, require_admin
from chalicelib.domain.reservations import SYSTEM, Actor, Reservation, ReservationStatus
from chalicelib.domain.reservations import approvals as rules
from chalicelib.domain.reservations.approvals import ApprovalRequest, Outcome, Verdict
from chalicelib.domain.reservations.conflicts import (
    Buffers,
    Occupant,
    ReservationConflict,
    find_conflicts,
)
from chalicelib.domain.reservations.lifecycle import Changed
from chalicelib.domain.reservations.time_range import TimeRange
from chalicelib.services.reservations.booking import buffers_of
from chalicelib.services.reservations.ports import ResourceCatalog
from chalicelib.store.reservations.approvals import StaleRequest, decisions_text, order_sk
from chalicelib.store.reservations.booking_tx import StaleItem

CONFIRM_ATTEMPTS = 5
MAX_AUTO_REJECTIONS = 25  # 4 items each, within one 100-item transaction


class ApprovalRequests(Protocol):
    def get(self, reservation_id: str) -> ApprovalRequest | None: ...
    def open_requests(
        self, resource_id: str, after: str | None = None
    ) -> Iterator[ApprovalRequest]: ...
    def of_requester(self, user_id: str, after: str | None = None) -> Iterator[ApprovalRequest]: ...
    def advance(self, before: ApprovalRequest, after: ApprovalRequest) -> None: ...


class ApprovalCatalog(ResourceCatalog, Protocol):
    def save(self, old: Resource, new: Resource) -> Resource: ...


class ApprovalReservations(Protocol):
    def get(self, reservation_id: str) -> Reservation | None: ...
    def occupants(
        self, resource_id: str, windows: Sequence[TimeRange], buffers: Buffers, now: datetime
    ) -> list[Occupant]: ...


class ApprovalWriter(Protocol):
    def confirm(
        self,
        change: Changed,
        buffers: Buffers,
        *,
        expected_step: int,
        decisions: str,
        rejections: Sequence[Changed] = (),
    ) -> Reservation: ...
    def settle(self, change: Changed, *, expected_step: int, decisions: str) -> Reservation: ...


@dataclass(frozen=True)
class ApprovalDeps:
    requests: ApprovalRequests
    catalog: ApprovalCatalog
    reservations: ApprovalReservations
    writer: ApprovalWriter
    clock: Clock
    approval_resources: Callable[[], list[Resource]]
    cancel: Callable[[Principal, str, str], Reservation]  # BookingService.cancel
    rules: Callable[..., list[str]]  # booking_rules.check_booking
    series_occurrences: Callable[[str], Sequence[str] | None] = lambda _: None


@dataclass(frozen=True)
class RequestView:
    request: ApprovalRequest
    chain: tuple[ApprovalStep, ...]
    reservation: Reservation | None = None


@dataclass(frozen=True)
class SeriesDecision:
    """A whole series decided occurrence by occurrence: those decided, and those refused
    (code and message each; e.g. an occurrence whose slot was confirmed to someone else)."""

    series_id: str
    decided: list[RequestView]
    refused: list[dict[str, str]]


@dataclass(frozen=True)
class RequestPage:
    items: list[RequestView]
    next_cursor: str | None


class ApprovalService:
    def __init__(self, deps: ApprovalDeps) -> None:
        self._d = deps

    # --- queues -------------------------------------------------------------------------------

    def pending(self, principal: Principal, limit: int, cursor: str | None) -> RequestPage:
        """Requests whose CURRENT step the caller may decide, oldest first, merged across the
        resources that need approval (the cursor is the last request's order key)."""
        found: list[tuple[str, RequestView]] = []
        for resource in self._d.approval_resources():
            chain = chain_of(resource)
            if not any(rules.is_approver(step, principal) for step in chain):
                continue
            mine = 0
            for request in self._d.requests.open_requests(resource.resource_id, cursor):
                if rules.may_decide(request, chain, principal):
                    found.append((order_key(request), RequestView(request, chain)))
                    mine += 1
                    if mine > limit:
                        break
        found.sort(key=lambda pair: pair[0])
        # With its reservation: the queue shows the series an occurrence belongs to (to
        # decide it whole); one read per shown request, a page is at most 100.
        page = [
            replace(view, reservation=self._d.reservations.get(view.request.reservation_id))
            for _, view in found[:limit]
        ]
        more = len(found) > limit
        return RequestPage(page, order_key(page[-1].request) if more and page else None)

    def mine(self, principal: Principal, limit: int, cursor: str | None) -> RequestPage:
        """The caller's own requests, open and decided, newest first."""
        views: list[RequestView] = []
        for request in self._d.requests.of_requester(principal.subject_id, cursor):
            views.append(RequestView(request, self._chain(request.resource_id)))
            if len(views) > limit:
                break
        page = views[:limit]
        more = len(views) > limit
        return RequestPage(page, order_key(page[-1].request) if more and page else None)

    def get(self, principal: Principal, reservation_id: str) -> RequestView:
        """The requester, an approver of any step, or an admin; 404 for anyone else."""
        request = self._request(reservation_id)
        chain = self._chain(request.resource_id)
        allowed = (
            principal.is_admin
            or principal.subject_id == request.requester_id
            or any(rules.is_approver(step, principal) for step in chain)
        )
        if not allowed:
            raise NotFound("no such approval request", code="approval_not_found")
        return RequestView(request, chain, self._d.reservations.get(reservation_id))

    # --- deciding -----------------------------------------------------------------------------

    def respond(
        self,
        principal: Principal,
        reservation_id: str,
        verdict: Verdict,
        message: str = "",
        *,
        expected_step: int | None = None,
    ) -> RequestView:
        """403 if the caller may not decide the current step; 409 if the request is no longer
        pending, or its step is not `expected_step` (a signed link for an older step)."""
        request = self._request(reservation_id)
        resource = self._d.catalog.get(request.resource_id)
        chain = chain_of(resource)
        now = self._d.clock.now()
        outcome = rules.decide(request, chain, principal, verdict=verdict, message=message, at=now)
        if expected_step is not None and expected_step != request.step:
            raise stale()
        if not outcome.final:
            try:
                self._d.requests.advance(request, outcome.after)
            except StaleRequest as exc:
                raise stale() from exc
            return RequestView(outcome.after, chain)
        reservation = self._pending_reservation(reservation_id)
        actor = Actor.of(principal)
        if verdict == Verdict.REJECT:
            change = reservation.reject(actor, now, message)
            self._settle(change, outcome)
        else:
            self._recheck_rules(resource, reservation, now)
            self._confirm(reservation.approve(actor, now, message), resource, outcome)
        return RequestView(outcome.after, chain, self._d.reservations.get(reservation_id))

    def respond_series(
        self, principal: Principal, series_id: str, verdict: Verdict, message: str = ""
    ) -> SeriesDecision:
        """Decide every pending occurrence of a series in one step. Approval is all or
        nothing: every occurrence is checked first (the caller decides its step, its rules
        still hold, no confirmed booking overlaps it); if one fails, none is approved and the
        409 lists them under `details.refused`. 404 if there is no such series; 409 if none
        of it is pending; 403 if the caller may decide none of it."""
        ids = self._d.series_occurrences(series_id)
        if ids is None:
            raise NotFound("no such series", code="series_not_found")
        pending = [r for r in map(self._d.requests.get, ids) if r is not None and r.pending]
        if not pending:
            raise Conflict(
                "no occurrence of this series awaits approval", code="approval_not_pending"
            )
        refused = [
            _refusal(request.reservation_id, exc)
            for request in pending
            if (exc := self._refusal_of(principal, request, verdict, message)) is not None
        ]
        if len(refused) == len(pending) and all(r["code"] in _FORBIDDEN_CODES for r in refused):
            raise Forbidden("you are not an approver of this series", code="not_an_approver")
        if refused and verdict == Verdict.APPROVE:
            raise Conflict(
                f"{len(refused)} of {len(pending)} pending occurrences cannot be approved; "
                "none was approved",
                code="series_not_approvable",
                details={"refused": refused},
            )
        decided: list[RequestView] = []
        refused_now: list[dict[str, str]] = list(refused)  # rejections go on without them
        skipped = {r["reservation_id"] for r in refused}
        for request in pending:
            if request.reservation_id in skipped:
                continue
            try:
                decided.append(self.respond(principal, request.reservation_id, verdict, message))
            except (Conflict, RuleViolation, Forbidden) as exc:
                # Only a write racing this very call lands here (the checks passed).
                refused_now.append(_refusal(request.reservation_id, exc))
        return SeriesDecision(series_id, decided, refused_now)

    def _refusal_of(
        self, principal: Principal, request: ApprovalRequest, verdict: Verdict, message: str
    ) -> DomainError | None:
        """Why `respond` would refuse this occurrence now (None: it would go through)."""
        try:
            resource = self._d.catalog.get(request.resource_id)
            now = self._d.clock.now()
            outcome = rules.decide(
                request, chain_of(resource), principal, verdict=verdict, message=message, at=now
            )
            if verdict == Verdict.APPROVE and outcome.final:
                reservation = self._pending_reservation(request.reservation_id)
                self._recheck_rules(resource, reservation, now)
                self._check_unblocked(resource, reservation, now)
        except (Conflict, RuleViolation, Forbidden, NotFound) as exc:
            return exc
        return None

    def _check_unblocked(self, resource: Resource, reservation: Reservation, now: datetime) -> None:
        buffers = buffers_of(resource)
        occupants = self._d.reservations.occupants(
            reservation.resource_id, [reservation.window], buffers, now
        )
        rivals = find_conflicts(
            reservation.window, occupants, buffers, ignore_ids={reservation.reservation_id}
        )
        blocking = [o for o in rivals if o.status != ReservationStatus.PENDING_APPROVAL]
        if blocking:
            raise ReservationConflict({0: blocking})

    def withdraw(self, principal: Principal, reservation_id: str, reason: str) -> Reservation:
        """The requester (or an admin) cancels a request that is still pending."""
        request = self._request(reservation_id)
        if request.requester_id != principal.subject_id and not principal.is_admin:
            raise NotFound("no such approval request", code="approval_not_found")
        if not request.pending:
            raise not_pending(request)
        return self._d.cancel(principal, reservation_id, reason or "withdrawn")

    def _settle(self, change: Changed, outcome: Outcome) -> None:
        try:
            self._d.writer.settle(
                change,
                expected_step=outcome.before.step,
                decisions=decisions_text(outcome.after.decisions),
            )
        except StaleItem as exc:
            raise stale() from exc

    def _confirm(self, change: Changed, resource: Resource, outcome: Outcome) -> None:
        """Approve the last step, rejecting overlapping requests in the same transaction; a
        request that appeared meanwhile is picked up by the next attempt."""
        approved = change.after
        buffers = buffers_of(resource)
        for _ in range(CONFIRM_ATTEMPTS):
            occupants = self._d.reservations.occupants(
                approved.resource_id, [approved.window], buffers, change.entry.at
            )
            rivals = find_conflicts(
                approved.window, occupants, buffers, ignore_ids={approved.reservation_id}
            )
            blocking = [o for o in rivals if o.status != ReservationStatus.PENDING_APPROVAL]
            if blocking:
                raise ReservationConflict({0: blocking})
            rejections = self._rejections(rivals, change.entry.at)
            try:
                self._d.writer.confirm(
                    change,
                    buffers,
                    expected_step=outcome.before.step,
                    decisions=decisions_text(outcome.after.decisions),
                    rejections=rejections,
                )
                return
            except ReservationConflict as exc:
                if any(o.status != ReservationStatus.PENDING_APPROVAL for o in exc.occupants):
                    raise
            except StaleItem:
                current = self._d.reservations.get(approved.reservation_id)
                if current is None or current.version != change.before.version:
                    raise stale() from None
        raise TooManyRequests(
            "the request keeps changing; retry", retry_after=1, code="approval_contention"
        )

    def _rejections(self, rivals: list[Occupant], at: datetime) -> list[Changed]:
        changes = []
        for rival in rivals[:MAX_AUTO_REJECTIONS]:
            other = self._d.reservations.get(rival.reservation_id)
            if other is not None and other.status == ReservationStatus.PENDING_APPROVAL:
                changes.append(other.reject(SYSTEM, at, rules.AUTO_REJECT_MESSAGE))
        return changes

    def _recheck_rules(self, resource: Resource, reservation: Reservation, now: datetime) -> None:
        """The catalogue may have changed since the request (hours, blackouts, maintenance):
        the rules are checked again, timing ones (notice, horizon) as of the request."""
        window = reservation.window
        if window.start <= now:
            raise RuleViolation("the requested time has already begun", code="start_in_past")
        self._d.rules(
            resource,
            window,
            now=reservation.created_at,
            hours=self._d.catalog.hours_for(resource),
            blackouts=self._d.catalog.blackouts_for(
                resource,
                window.start.date() - timedelta(days=1),
                window.end.date() + timedelta(days=1),
            ),
            override=reservation.override_by is not None,
        )

    # --- the chain setting (admins) -----------------------------------------------------------

    def chain_setting(self, principal: Principal, resource_id: str) -> Resource:
        require_admin(principal)
        return self._d.catalog.get(resource_id)

    def set_chain(self, principal: Principal, resource_id: str, raw: dict[str, object]) -> Resource:
        """Replace the chain; `requires_approval` (default true) switches approval on or off."""
        require_admin(principal)
        requires = raw.pop("requires_approval", True)
        if not isinstance(requires, bool):
            requires = True
        settings = settings_from_dict(raw)
        old = self._d.catalog.get(resource_id)
        new = replace(
            old, approval=settings, requires_approval=requires, updated_at=self._d.clock.now()
        )
        return self._d.catalog.save(old, new)

    # --- shared -------------------------------------------------------------------------------

    def _request(self, reservation_id: str) -> ApprovalRequest:
        request = self._d.requests.get(reservation_id)
        if request is None:
            raise NotFound("no such approval request", code="approval_not_found")
        return request

    def _chain(self, resource_id: str) -> tuple[ApprovalStep, ...]:
        try:
            return chain_of(self._d.catalog.get(resource_id))
        except NotFound:
            return ()

    def _pending_reservation(self, reservation_id: str) -> Reservation:
        reservation = self._d.reservations.get(reservation_id)
        if reservation is None or reservation.status != ReservationStatus.PENDING_APPROVAL:
            raise stale()
        return reservation


_FORBIDDEN_CODES = frozenset({"not_an_approver", "own_request"})


def _refusal(reservation_id: str, exc: DomainError) -> dict[str, str]:
    return {"reservation_id": reservation_id, "code": exc.code, "message": exc.message}


def chain_of(resource: Resource) -> tuple[ApprovalStep, ...]:
    return effective_chain(resource.approval, resource.approvers)


def order_key(request: ApprovalRequest) -> str:
    return order_sk(request.created_at, request.reservation_id)


def stale() -> Conflict:
    return Conflict(
        "the request changed meanwhile (decided, moved on, or withdrawn); reload it",
        code="approval_stale",
    )


def not_pending(request: ApprovalRequest) -> Conflict:
    return Conflict(
        f"the request is already {request.status.value}",
        code="approval_not_pending",
        details={"status": request.status.value},
    )
