"""Check-in: a resource's check-in setting (admins), checking in (owner or admin, or anyone
holding the reservation's signed link), and no-show counts."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api import check_in_page
from chalicelib.api.routing import FORM_TYPES, JSON_TYPES, Reply, RequestContext, endpoint
from chalicelib.api.schemas.check_in import (
    CheckInOut,
    CheckInPolicyIn,
    CheckInPolicyOut,
    NoShowsOut,
)
from chalicelib.domain.errors import DomainError

bp = Blueprint(__name__)
TAGS = ("check-in",)
LINK = "/api/v1/checkin/{token}"


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/check-in",
    summary="A resource's check-in setting",
    tags=TAGS,
    scope="resources:read",
    response=CheckInPolicyOut,
)
def get_policy(ctx: RequestContext, resource_id: str) -> CheckInPolicyOut:
    view = wiring.resources().get(ctx.user, resource_id)
    return CheckInPolicyOut.from_domain(view.resource.check_in)


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/check-in",
    "PUT",
    summary="Set a resource's check-in setting (admins)",
    tags=TAGS,
    scope="resources:write",
    body=CheckInPolicyIn,
    response=CheckInPolicyOut,
    description="With `required`, a reservation not checked in by the end of its window "
    "(`opens_before_minutes` before the start to `closes_after_minutes` after it) is released "
    "as `no_show` by a job that runs every minute.",
)
def set_policy(ctx: RequestContext[CheckInPolicyIn], resource_id: str) -> CheckInPolicyOut:
    view = wiring.resources().set_check_in(ctx.user, resource_id, ctx.body.to_domain())
    return CheckInPolicyOut.from_domain(view.resource.check_in)


@endpoint(
    bp,
    "/api/v1/reservations/{reservation_id}/check-in",
    summary="A reservation's check-in window, state and signed check-in link (owner or admin)",
    tags=TAGS,
    scope="reservations:read",
    response=CheckInOut,
)
def get_check_in(ctx: RequestContext, reservation_id: str) -> CheckInOut:
    return CheckInOut.from_view(
        wiring.check_in().view(ctx.user, reservation_id), wiring.check_in_links(), with_qr=True
    )


@endpoint(
    bp,
    "/api/v1/reservations/{reservation_id}/check-in",
    "POST",
    summary="Check in (owner or admin), inside the check-in window",
    tags=TAGS,
    scope="reservations:write",
    response=CheckInOut,
    description="409 `check_in_not_open` before the window, `check_in_closed` after it, "
    "`invalid_transition` when the reservation is not active. Checking in twice answers 200.",
)
def check_in(ctx: RequestContext, reservation_id: str) -> CheckInOut:
    return CheckInOut.from_view(
        wiring.check_in().check_in(ctx.user, reservation_id), wiring.check_in_links()
    )


@endpoint(
    bp,
    LINK,
    summary="What a check-in link is for (never checks in by itself)",
    tags=TAGS,
    auth="none",
    response=CheckInOut,
    description="JSON, or with `Accept: text/html` a page with a Check in button (the QR "
    "code's target). 404 `invalid_link`, 410 `link_expired` once the window has closed.",
)
def view_link(ctx: RequestContext, token: str) -> CheckInOut | Reply:
    if not check_in_page.wants_html(ctx.header("accept")):
        return CheckInOut.from_view(wiring.check_in().view_link(token), wiring.check_in_links())
    try:
        return check_in_page.page(wiring.check_in().view_link(token), done=False)
    except DomainError as exc:
        return check_in_page.refusal(exc)


@endpoint(
    bp,
    LINK,
    "POST",
    summary="Check in through the reservation's signed link",
    tags=TAGS,
    auth="none",
    response=CheckInOut,
    content_types=[*JSON_TYPES, *FORM_TYPES],
    description="The page's form posts here; JSON callers get the check-in state.",
)
def confirm_link(ctx: RequestContext, token: str) -> CheckInOut | Reply:
    if not check_in_page.wants_html(ctx.header("accept")):
        return CheckInOut.from_view(wiring.check_in().check_in_link(token), wiring.check_in_links())
    try:
        return check_in_page.page(wiring.check_in().check_in_link(token), done=True)
    except DomainError as exc:
        return check_in_page.refusal(exc)


@endpoint(
    bp,
    "/api/v1/users/me/no-shows",
    summary="My missed check-ins, per resource",
    tags=TAGS,
    scope="reservations:read",
    response=NoShowsOut,
)
def my_no_shows(ctx: RequestContext) -> NoShowsOut:
    return NoShowsOut.of(wiring.check_in().my_no_shows(ctx.user))


@endpoint(
    bp,
    "/api/v1/resources/{resource_id}/no-shows",
    summary="Missed check-ins on a resource, per user (admins)",
    tags=TAGS,
    auth="admin",
    response=NoShowsOut,
)
def resource_no_shows(ctx: RequestContext, resource_id: str) -> NoShowsOut:
    return NoShowsOut.of(wiring.check_in().resource_no_shows(ctx.user, resource_id))
