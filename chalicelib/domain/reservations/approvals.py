"""Approval requests and the chain rules (issue 10), pure.

A booking of a resource that needs approval is a `pending_approval` reservation plus an
approval request (one per reservation, same id). The request walks the resource's chain
(`domain/catalog/approval.py`) step by step: any one approver of the current step decides it;
an approval of a middle step moves the request on, an approval of the LAST step confirms the
reservation, a rejection at any step ends it. Nobody decides their own request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.catalog.approval import ApprovalSettings, ApprovalStep
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.principal import Principal
from chalicelib.domain.reservations.time_range import TimeRange

MESSAGE_MAX = 500
AUTO_REJECT_MESSAGE = "another request for an overlapping time was approved"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # cancelled by the requester (or moved off an approval resource)


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class Decision:
    step: int
    actor_id: str
    verdict: Verdict
    message: str
    at: datetime


@dataclass(frozen=True)
class ApprovalRequest:
    reservation_id: str
    resource_id: str
    requester_id: str
    window: TimeRange
    created_at: datetime
    step: int = 0
    status: RequestStatus = RequestStatus.PENDING
    decisions: tuple[Decision, ...] = ()
    reminded_step: int = -1  # the last step whose approvers were reminded
    closed_by: str = ""
    closed_reason: str = ""
    closed_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def waiting_since(self) -> datetime:
        """When the current step began: the last decision, or the request itself."""
        return self.decisions[-1].at if self.decisions else self.created_at


@dataclass(frozen=True)
class Outcome:
    """A decision's result: the request after it; `final` when the reservation changes
    (a rejection, or the approval of the last step)."""

    before: ApprovalRequest
    after: ApprovalRequest
    decision: Decision

    @property
    def final(self) -> bool:
        return not self.after.pending


def current_step(request: ApprovalRequest, chain: tuple[ApprovalStep, ...]) -> int:
    """The step to decide; a chain shortened since the request was made ends at its last."""
    return min(request.step, len(chain) - 1)


def is_approver(step: ApprovalStep, principal: Principal) -> bool:
    """Users named in the step, or holders of one of its roles; OAuth clients never."""
    if principal.is_client:
        return False
    return principal.subject_id in step.users or any(r in principal.roles for r in step.roles)


def may_decide(
    request: ApprovalRequest, chain: tuple[ApprovalStep, ...], principal: Principal
) -> bool:
    if not request.pending or principal.subject_id == request.requester_id:
        return False
    return is_approver(chain[current_step(request, chain)], principal)


def decide(
    request: ApprovalRequest,
    chain: tuple[ApprovalStep, ...],
    principal: Principal,
    *,
    verdict: Verdict,
    message: str,
    at: datetime,
) -> Outcome:
    """Forbidden (403) if the caller is not an approver of the current step (or is the
    requester); Conflict (409) if the request is no longer pending."""
    if not request.pending:
        raise Conflict(
            f"the request is already {request.status.value}",
            code="approval_not_pending",
            details={"status": request.status.value},
        )
    step = current_step(request, chain)
    if principal.subject_id == request.requester_id:
        raise Forbidden("you cannot decide your own request", code="own_request")
    if not is_approver(chain[step], principal):
        raise Forbidden(
            "you are not an approver of this request's current step",
            code="not_an_approver",
            details={"step": step},
        )
    decision = Decision(step, principal.subject_id, verdict, message[:MESSAGE_MAX], at)
    decided = (*request.decisions, decision)
    if verdict == Verdict.REJECT:
        after = _closed(request, RequestStatus.REJECTED, principal.subject_id, message, at)
    elif step >= len(chain) - 1:
        after = _closed(request, RequestStatus.APPROVED, principal.subject_id, message, at)
    else:
        after = replace(request, step=step + 1, decisions=decided)
    return Outcome(request, replace(after, decisions=decided), decision)


def _closed(
    request: ApprovalRequest, status: RequestStatus, by: str, reason: str, at: datetime
) -> ApprovalRequest:
    return replace(
        request, status=status, closed_by=by, closed_reason=reason[:MESSAGE_MAX], closed_at=at
    )


def expiry_due(request: ApprovalRequest, settings: ApprovalSettings, now: datetime) -> bool:
    """Undecided for `expiry_hours` (0: never), or its start has come: it expires."""
    if not request.pending:
        return False
    if request.window.start <= now:
        return True
    hours = settings.expiry_hours
    return hours > 0 and request.created_at + timedelta(hours=hours) <= now


def reminder_due(request: ApprovalRequest, settings: ApprovalSettings, now: datetime) -> bool:
    """The current step has waited `remind_after_hours` and its approvers were not reminded
    yet (once per step)."""
    hours = settings.remind_after_hours
    if not request.pending or hours <= 0 or request.reminded_step >= request.step:
        return False
    return request.waiting_since + timedelta(hours=hours) <= now
