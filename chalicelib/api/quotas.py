"""Booking quotas (issue 13): my usage; admins manage rules and per-user overrides and see
users' usage, users near a limit and a summary per rule. docs/quotas.md."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import Reply, RequestContext, endpoint
from chalicelib.api.schemas.quotas import (
    AlertsQuery,
    QuotaAlertList,
    QuotaAlertOut,
    QuotaOverrideIn,
    QuotaOverrideList,
    QuotaOverrideOut,
    QuotaRuleIn,
    QuotaRuleList,
    QuotaRuleOut,
    QuotaSummaryList,
    QuotaSummaryOut,
    UsageOut,
)
from chalicelib.domain.quotas.rules import QuotaOverride

bp = Blueprint(__name__)
TAGS = ("quotas",)
READ = "reservations:read"


@endpoint(
    bp,
    "/api/v1/quotas/my-usage",
    summary="My booking quotas: usage per rule, what remains, when it resets",
    tags=TAGS,
    scope=READ,
    response=UsageOut,
    description="Hours are in minutes (`unit`); the current period is named by the UTC date.",
)
def my_usage(ctx: RequestContext) -> UsageOut:
    usages = wiring.quotas().my_usage(ctx.user)
    return UsageOut.of(ctx.user.subject_id, [u.as_dict() for u in usages])


@endpoint(
    bp,
    "/api/v1/quotas/rules",
    summary="The booking quota rules",
    tags=TAGS,
    scope=READ,
    response=QuotaRuleList,
)
def list_rules(ctx: RequestContext) -> QuotaRuleList:
    return QuotaRuleList(items=[QuotaRuleOut.of(r) for r in wiring.quotas().rules()])


@endpoint(
    bp,
    "/api/v1/quotas/rules",
    "POST",
    summary="Add a booking quota rule",
    tags=TAGS,
    auth="admin",
    body=QuotaRuleIn,
    response=QuotaRuleOut,
    status=201,
    description=QuotaRuleIn.__doc__ or "",
)
def create_rule(ctx: RequestContext[QuotaRuleIn]) -> Reply:
    rule = wiring.quotas().create_rule(ctx.body.to_domain())
    return Reply(QuotaRuleOut.of(rule), 201, {"Location": f"/api/v1/quotas/rules/{rule.rule_id}"})


@endpoint(
    bp,
    "/api/v1/quotas/rules/{rule_id}",
    summary="One booking quota rule",
    tags=TAGS,
    scope=READ,
    response=QuotaRuleOut,
)
def get_rule(ctx: RequestContext, rule_id: str) -> QuotaRuleOut:
    return QuotaRuleOut.of(wiring.quotas().rule(rule_id))


@endpoint(
    bp,
    "/api/v1/quotas/rules/{rule_id}",
    "PUT",
    summary="Replace a booking quota rule",
    tags=TAGS,
    auth="admin",
    body=QuotaRuleIn,
    response=QuotaRuleOut,
    description="Existing bookings keep what they charged; new ones are checked against it.",
)
def replace_rule(ctx: RequestContext[QuotaRuleIn], rule_id: str) -> QuotaRuleOut:
    return QuotaRuleOut.of(wiring.quotas().replace_rule(rule_id, ctx.body.to_domain()))


@endpoint(
    bp,
    "/api/v1/quotas/rules/{rule_id}",
    "DELETE",
    summary="Remove a booking quota rule",
    tags=TAGS,
    auth="admin",
    status=204,
)
def delete_rule(ctx: RequestContext, rule_id: str) -> Reply:
    wiring.quotas().delete_rule(rule_id)
    return Reply(None, 204)


@endpoint(
    bp,
    "/api/v1/quotas/overrides",
    summary="Per-user quota overrides in force",
    tags=TAGS,
    auth="admin",
    response=QuotaOverrideList,
)
def list_overrides(ctx: RequestContext) -> QuotaOverrideList:
    service = wiring.quotas()
    rules = {r.rule_id: r for r in service.rules()}
    items = [QuotaOverrideOut.of(o, rules.get(o.rule_id)) for o in service.overrides()]
    return QuotaOverrideList(items=items)


@endpoint(
    bp,
    "/api/v1/quotas/overrides/{user_id}/{rule_id}",
    "PUT",
    summary="Give a user their own limit for one rule (until it expires)",
    tags=TAGS,
    auth="admin",
    body=QuotaOverrideIn,
    response=QuotaOverrideOut,
)
def put_override(
    ctx: RequestContext[QuotaOverrideIn], user_id: str, rule_id: str
) -> QuotaOverrideOut:
    service = wiring.quotas()
    rule = service.rule(rule_id)
    body = ctx.body
    limit = round(body.limit * 60) if rule.metric == "hours" else round(body.limit)
    override = QuotaOverride(user_id, rule_id, limit, body.expires_at, body.reason)
    return QuotaOverrideOut.of(service.set_override(ctx.user, override), rule)


@endpoint(
    bp,
    "/api/v1/quotas/overrides/{user_id}/{rule_id}",
    "DELETE",
    summary="Remove a user's quota override",
    tags=TAGS,
    auth="admin",
    status=204,
)
def delete_override(ctx: RequestContext, user_id: str, rule_id: str) -> Reply:
    wiring.quotas().delete_override(user_id, rule_id)
    return Reply(None, 204)


@endpoint(
    bp,
    "/api/v1/quotas/users/{user_id}",
    summary="One user's booking quota usage",
    tags=TAGS,
    auth="admin",
    response=UsageOut,
)
def user_usage(ctx: RequestContext, user_id: str) -> UsageOut:
    usages = wiring.quotas().user_usage(user_id)
    return UsageOut.of(user_id, [u.as_dict() for u in usages])


@endpoint(
    bp,
    "/api/v1/quotas/alerts",
    summary="Users at or near a quota limit in the current period",
    tags=TAGS,
    auth="admin",
    query=AlertsQuery,
    response=QuotaAlertList,
)
def alerts(ctx: RequestContext[None, AlertsQuery]) -> QuotaAlertList:
    found = wiring.quotas().alerts(ctx.query.threshold)
    return QuotaAlertList(items=[QuotaAlertOut(**a) for a in found])


@endpoint(
    bp,
    "/api/v1/quotas/summary",
    summary="Per rule: users counted, total used and users at the limit this period",
    tags=TAGS,
    auth="admin",
    response=QuotaSummaryList,
)
def summary(ctx: RequestContext) -> QuotaSummaryList:
    return QuotaSummaryList(items=[QuotaSummaryOut(**s) for s in wiring.quotas().summary()])
