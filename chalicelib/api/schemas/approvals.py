"""Approvals (issue 10): request and response models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict, UtcDatetime
from chalicelib.domain.catalog.approval import effective_chain
from chalicelib.domain.catalog.resources import Resource
from chalicelib.domain.reservations.approvals import MESSAGE_MAX, current_step
from chalicelib.services.reservations.approvals import RequestPage, RequestView, SeriesDecision

# The listing cursor is the last request's order key: `<created ISO instant>#<id>`.
CURSOR_PATTERN = r"^\d{4}-\d{2}-\d{2}T[0-9:.]{8,12}Z#[0-9A-Za-z]{1,64}$"


class ApprovalQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=120, pattern=CURSOR_PATTERN)


class RespondIn(Strict):
    """`decision`: approve or reject; `message` is shown to the requester."""

    decision: Literal["approve", "reject"]
    message: str = Field(default="", max_length=MESSAGE_MAX)
    step: int | None = Field(
        default=None, ge=0, le=10, description="Refuse (409) if the current step is not this one."
    )


class WithdrawIn(Strict):
    reason: str = Field(default="", max_length=MESSAGE_MAX)


class LinkDecisionIn(Strict):
    """The one-click page's form: `decision` approve or reject, optional message."""

    decision: Literal["approve", "reject"]
    message: str = Field(default="", max_length=MESSAGE_MAX)


class StepIn(Strict):
    users: list[str] = Field(default_factory=list, max_length=20)
    roles: list[Literal["admin", "user", "guest"]] = Field(default_factory=list, max_length=3)


class ChainIn(Strict):
    """Ordered steps, each decided by any one of its users or role holders; empty steps:
    the legacy `approvers`, else any administrator."""

    requires_approval: bool = True
    steps: list[StepIn] = Field(max_length=5, description="Required; [] for the default.")
    expiry_hours: int = Field(default=72, ge=0, le=24 * 90)
    remind_after_hours: int = Field(default=24, ge=0, le=24 * 90)

    def raw(self) -> dict[str, Any]:
        return self.model_dump()


class DecisionOut(BaseModel):
    step: int
    actor_id: str
    decision: str
    message: str
    at: UtcDatetime


class ApprovalOut(BaseModel):
    reservation_id: str = Field(description="The request's id (= its reservation's id).")
    resource_id: str
    requester_id: str
    start_time: UtcDatetime
    end_time: UtcDatetime
    status: str = Field(description="pending | approved | rejected | expired | withdrawn")
    step: int = Field(description="The step awaiting a decision (0-based).")
    steps: int = Field(description="How many steps the chain has.")
    created_at: UtcDatetime
    decisions: list[DecisionOut]
    closed_by: str | None = None
    closed_reason: str | None = None
    closed_at: UtcDatetime | None = None
    reservation_status: str | None = None
    series_id: str | None = Field(
        default=None, description="The series of an occurrence (decide it whole or alone)."
    )

    @classmethod
    def of(cls, view: RequestView) -> ApprovalOut:
        r = view.request
        step = current_step(r, view.chain) if view.chain else r.step
        return cls(
            reservation_id=r.reservation_id,
            resource_id=r.resource_id,
            requester_id=r.requester_id,
            start_time=r.window.start,
            end_time=r.window.end,
            status=r.status.value,
            step=step,
            steps=len(view.chain),
            created_at=r.created_at,
            decisions=[
                DecisionOut(
                    step=d.step,
                    actor_id=d.actor_id,
                    decision=d.verdict.value,
                    message=d.message,
                    at=d.at,
                )
                for d in r.decisions
            ],
            closed_by=r.closed_by or None,
            closed_reason=r.closed_reason or None,
            closed_at=r.closed_at,
            reservation_status=view.reservation.status.value if view.reservation else None,
            series_id=view.reservation.series_id if view.reservation else None,
        )


class ApprovalPage(BaseModel):
    items: list[ApprovalOut]
    next_cursor: str | None = None

    @classmethod
    def of(cls, page: RequestPage) -> ApprovalPage:
        return cls(items=[ApprovalOut.of(v) for v in page.items], next_cursor=page.next_cursor)


class ChainOut(BaseModel):
    resource_id: str
    requires_approval: bool
    steps: list[dict[str, list[str]]]
    effective_steps: list[dict[str, list[str]]] = Field(
        description="What requests actually pass (legacy approvers / any admin when unset)."
    )
    expiry_hours: int
    remind_after_hours: int

    @classmethod
    def of(cls, resource: Resource) -> ChainOut:
        setting = resource.approval
        steps = [s.to_dict() for s in setting.steps] if setting else []
        effective = effective_chain(setting, resource.approvers)
        return cls(
            resource_id=resource.resource_id,
            requires_approval=resource.requires_approval,
            steps=steps,
            effective_steps=[s.to_dict() for s in effective],
            expiry_hours=setting.expiry_hours if setting else 72,
            remind_after_hours=setting.remind_after_hours if setting else 24,
        )


class SeriesRespondIn(Strict):
    decision: Literal["approve", "reject"]
    message: str = Field(default="", max_length=MESSAGE_MAX)


class SeriesDecisionOut(BaseModel):
    series_id: str
    decided: list[ApprovalOut]
    refused: list[dict[str, str]] = Field(
        description="Occurrences not decided: reservation_id, code, message."
    )

    @classmethod
    def of(cls, result: SeriesDecision) -> SeriesDecisionOut:
        return cls(
            series_id=result.series_id,
            decided=[ApprovalOut.of(v) for v in result.decided],
            refused=result.refused,
        )
