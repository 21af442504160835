"""Approvals (issue 10): the approver's queue, my requests, respond, withdraw, the chain
setting (admins), and the one-click email link (GET shows, POST acts)."""

from __future__ import annotations

from html import escape

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import FORM_TYPES, JSON_TYPES, Reply, RequestContext, endpoint
from chalicelib.api.schemas.approvals import (
    ApprovalOut,
    ApprovalPage,
    ApprovalQuery,
    ChainIn,
    ChainOut,
    LinkDecisionIn,
    RespondIn,
    SeriesDecisionOut,
    SeriesRespondIn,
    WithdrawIn,
)
from chalicelib.api.schemas.reservations import ReservationOut
from chalicelib.domain.reservations.approvals import Verdict
from chalicelib.domain.timeutil import iso_z

bp = Blueprint(__name__)
TAGS = ("approvals",)
BASE = "/api/v1/approvals"
_HTML = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


@endpoint(
    bp,
    f"{BASE}/pending",
    summary="Requests waiting for my decision (the current step is mine), oldest first",
    tags=TAGS,
    scope="reservations:read",
    query=ApprovalQuery,
    response=ApprovalPage,
)
def pending(ctx: RequestContext[None, ApprovalQuery]) -> ApprovalPage:
    q = ctx.query
    return ApprovalPage.of(wiring.approvals().pending(ctx.user, q.limit, q.cursor))


@endpoint(
    bp,
    f"{BASE}/my-requests",
    summary="My approval requests, open and decided, newest first",
    tags=TAGS,
    scope="reservations:read",
    query=ApprovalQuery,
    response=ApprovalPage,
)
def my_requests(ctx: RequestContext[None, ApprovalQuery]) -> ApprovalPage:
    q = ctx.query
    return ApprovalPage.of(wiring.approvals().mine(ctx.user, q.limit, q.cursor))


@endpoint(
    bp,
    f"{BASE}/{{request_id}}",
    summary="One request (its requester, an approver of the resource, or an admin)",
    tags=TAGS,
    scope="reservations:read",
    response=ApprovalOut,
)
def get_request(ctx: RequestContext, request_id: str) -> ApprovalOut:
    return ApprovalOut.of(wiring.approvals().get(ctx.user, request_id))


@endpoint(
    bp,
    f"{BASE}/{{request_id}}/respond",
    "POST",
    summary="Approve or reject the current step (403 if it is not mine; 409 if stale)",
    tags=TAGS,
    scope="reservations:write",
    body=RespondIn,
    response=ApprovalOut,
    description=(
        "Approving the last step confirms the reservation after re-checking the rules and "
        "the no-overlap invariant atomically; overlapping pending requests are rejected with "
        "a message. A rejection at any step ends the request."
    ),
)
def respond(ctx: RequestContext[RespondIn], request_id: str) -> ApprovalOut:
    b = ctx.body
    view = wiring.approvals().respond(
        ctx.user, request_id, Verdict(b.decision), b.message, expected_step=b.step
    )
    return ApprovalOut.of(view)


@endpoint(
    bp,
    f"{BASE}/series/{{series_id}}/respond",
    "POST",
    summary="Approve or reject every pending occurrence of a series at once",
    tags=TAGS,
    scope="reservations:write",
    body=SeriesRespondIn,
    response=SeriesDecisionOut,
    description="Per occurrence: use `POST /approvals/{request_id}/respond` on one of them.",
)
def respond_series(ctx: RequestContext[SeriesRespondIn], series_id: str) -> SeriesDecisionOut:
    b = ctx.body
    result = wiring.approvals().respond_series(ctx.user, series_id, Verdict(b.decision), b.message)
    return SeriesDecisionOut.of(result)


@endpoint(
    bp,
    f"{BASE}/{{request_id}}/withdraw",
    "POST",
    summary="Withdraw my pending request (cancels its reservation)",
    tags=TAGS,
    scope="reservations:write",
    body=WithdrawIn,
    response=ReservationOut,
)
def withdraw(ctx: RequestContext[WithdrawIn], request_id: str) -> ReservationOut:
    return ReservationOut.from_domain(
        wiring.approvals().withdraw(ctx.user, request_id, ctx.body.reason)
    )


@endpoint(
    bp,
    f"{BASE}/resources/{{resource_id}}/chain",
    summary="A resource's approval chain (admins)",
    tags=TAGS,
    auth="admin",
    response=ChainOut,
)
def get_chain(ctx: RequestContext, resource_id: str) -> ChainOut:
    return ChainOut.of(wiring.approvals().chain_setting(ctx.user, resource_id))


@endpoint(
    bp,
    f"{BASE}/resources/{{resource_id}}/chain",
    "PUT",
    summary="Set a resource's approval chain, expiry and reminders (admins)",
    tags=TAGS,
    auth="admin",
    body=ChainIn,
    response=ChainOut,
)
def put_chain(ctx: RequestContext[ChainIn], resource_id: str) -> ChainOut:
    return ChainOut.of(wiring.approvals().set_chain(ctx.user, resource_id, ctx.body.raw()))


@endpoint(
    bp,
    f"{BASE}/email/{{token}}",
    summary="The one-click page of an approver's email link (shows; never acts)",
    tags=TAGS,
    auth="none",
)
def link_page(ctx: RequestContext, token: str) -> Reply:
    _, view = wiring.approval_links().show(token)
    r = view.request
    rows = (
        ("Request", r.reservation_id),
        ("Resource", r.resource_id),
        ("Requested by", r.requester_id),
        ("From", iso_z(r.window.start)),
        ("To", iso_z(r.window.end)),
        ("Status", r.status.value),
    )
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    form = (
        '<form method="post"><label>Message <input name="message" maxlength="500"></label> '
        '<button name="decision" value="approve">Approve</button> '
        '<button name="decision" value="reject">Reject</button></form>'
        if r.pending
        else "<p>This request is no longer waiting for a decision.</p>"
    )
    return Reply(_page("Approval request", f"<table>{table}</table>{form}"), 200, _HTML)


@endpoint(
    bp,
    f"{BASE}/email/{{token}}",
    "POST",
    summary="Act on a one-click link (single use; the link's user must still be an approver)",
    tags=TAGS,
    auth="none",
    body=LinkDecisionIn,
    content_types=FORM_TYPES + JSON_TYPES,
)
def link_act(ctx: RequestContext[LinkDecisionIn], token: str) -> Reply:
    b = ctx.body
    view = wiring.approval_links().act(token, Verdict(b.decision), b.message)
    text = f"Recorded: {escape(b.decision)}. The request is now {escape(view.request.status)}."
    return Reply(_page("Decision recorded", f"<p>{text}</p>"), 200, _HTML)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
