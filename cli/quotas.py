"""`rr quotas`: your booking quota usage; admins manage the rules and per-user overrides."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, TzOpt, state
from cli.lookup import path_part
from cli.output import Column

app = typer.Typer(help="Booking quotas: your usage; admins manage rules and overrides.")
rules_app = typer.Typer(help="Admins: the quota rules (everyone may list them).")
overrides_app = typer.Typer(help="Admins: a user's own limit for one rule, until it expires.")
app.add_typer(rules_app, name="rules")
app.add_typer(overrides_app, name="overrides")

RuleArg = Annotated[str, typer.Argument(help="Quota rule id.")]
UserArg = Annotated[str, typer.Argument(help="User id.")]

USAGE_COLUMNS = [
    Column("name", "rule"),
    Column("period_key", "period"),
    Column("summary", "used"),
    Column("remaining", "remaining"),
    Column("unit", "unit"),
    Column("limit_source", "limit from"),
    Column("resets_at", "resets", "time"),
    Column("exempt", "exempt"),
]
RULE_COLUMNS = [
    Column("rule_id", "id"),
    Column("name", "name"),
    Column("metric", "metric"),
    Column("limit", "limit"),
    Column("period", "period"),
    Column("scope", "scope"),
    Column("scope_value", "of"),
    Column("peak", "peak"),
    Column("exempt_roles", "exempt roles", "list"),
    Column("enabled", "enabled"),
]
OVERRIDE_COLUMNS = [
    Column("user_id", "user"),
    Column("rule_id", "rule"),
    Column("limit", "limit"),
    Column("expires_at", "until", "time"),
    Column("reason", "reason"),
]
ALERT_COLUMNS = [
    Column("user_id", "user"),
    Column("rule_name", "rule"),
    Column("period_key", "period"),
    Column("used", "used"),
    Column("limit", "limit"),
    Column("unit", "unit"),
    Column("share", "share"),
]
SUMMARY_COLUMNS = [
    Column("name", "rule"),
    Column("limit", "limit"),
    Column("unit", "unit"),
    Column("users", "users"),
    Column("total_used", "total used"),
    Column("at_limit", "at limit"),
    Column("resets_at", "resets", "time"),
]


@app.command()
def usage(ctx: typer.Context, tz: TzOpt = None, as_json: JsonOpt = False) -> None:
    """Your usage per rule, what remains, and when it resets (hours are in minutes)."""
    st = state(ctx)
    st.use_tz(tz)
    found = st.client.get("quotas/my-usage")
    st.show_list(found["rules"], as_json, USAGE_COLUMNS, title="My quotas", empty="no quotas")


@app.command()
def user(ctx: typer.Context, user_id: UserArg, tz: TzOpt = None, as_json: JsonOpt = False) -> None:
    """Admins: one user's usage."""
    st = state(ctx)
    st.use_tz(tz)
    found = st.client.get(f"quotas/users/{path_part(user_id)}")
    st.show_list(found["rules"], as_json, USAGE_COLUMNS, title=f"Quotas of {user_id}")


@app.command()
def alerts(
    ctx: typer.Context,
    threshold: Annotated[float, typer.Option(help="Share of the limit, 0-1.")] = 0.8,
    as_json: JsonOpt = False,
) -> None:
    """Admins: users at or near a limit this period or the next."""
    st = state(ctx)
    found = st.client.get("quotas/alerts", params={"threshold": threshold})
    st.show_list(found["items"], as_json, ALERT_COLUMNS, title="Near a limit", empty="nobody")


@app.command()
def summary(ctx: typer.Context, tz: TzOpt = None, as_json: JsonOpt = False) -> None:
    """Admins: per rule, how many users booked this period and how many are at the limit."""
    st = state(ctx)
    st.use_tz(tz)
    found = st.client.get("quotas/summary")
    st.show_list(found["items"], as_json, SUMMARY_COLUMNS, title="Quota summary")


# --- rules ------------------------------------------------------------------------------------


def _rule_body(
    *,
    name: str,
    metric: str,
    limit: float,
    period: str | None,
    scope: str,
    value: str | None,
    peak: str | None,
    exempt: list[str] | None,
    disabled: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "metric": metric,
        "limit": limit,
        "scope": scope,
        "exempt_roles": exempt or [],
        "enabled": not disabled,
    }
    for key, value_ in (("period", period), ("scope_value", value), ("peak", peak)):
        if value_:
            body[key] = value_
    return body


NameOpt = Annotated[str, typer.Option("--name", help="What people see in denials.")]
MetricOpt = Annotated[str, typer.Option("--metric", help="hours, count, concurrent or waitlist.")]
LimitOpt = Annotated[float, typer.Option("--limit", help="Hours (hours rules) or a number.")]
PeriodOpt = Annotated[str | None, typer.Option("--period", help="day, week or month.")]
ScopeOpt = Annotated[str, typer.Option("--scope", help="global, resource, tag, role or group.")]
ValueOpt = Annotated[
    str | None, typer.Option("--of", help="The resource id, tag, role or group id of the scope.")
]
PeakOpt = Annotated[str | None, typer.Option("--peak", help="Only count 09:00-17:00 (local).")]
ExemptOpt = Annotated[list[str] | None, typer.Option("--exempt", help="Repeatable: a role.")]
DisabledOpt = Annotated[bool, typer.Option("--disabled", help="Create it switched off.")]


@rules_app.command("list")
def list_rules(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every quota rule."""
    st = state(ctx)
    items = st.client.get("quotas/rules")["items"]
    st.show_list(items, as_json, RULE_COLUMNS, title="Quota rules", empty="no quota rules")


@rules_app.command("add")
def add_rule(
    ctx: typer.Context,
    *,
    name: NameOpt,
    metric: MetricOpt,
    limit: LimitOpt,
    period: PeriodOpt = None,
    scope: ScopeOpt = "global",
    of: ValueOpt = None,
    peak: PeakOpt = None,
    exempt: ExemptOpt = None,
    disabled: DisabledOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a rule, e.g. --name Weekly --metric hours --limit 6 --period week."""
    st = state(ctx)
    body = _rule_body(
        name=name,
        metric=metric,
        limit=limit,
        period=period,
        scope=scope,
        value=of,
        peak=peak,
        exempt=exempt,
        disabled=disabled,
    )
    st.show(st.client.post("quotas/rules", json=body), as_json, RULE_COLUMNS, "Quota rule added")


@rules_app.command("update")
def update_rule(
    ctx: typer.Context,
    rule_id: RuleArg,
    *,
    name: NameOpt,
    metric: MetricOpt,
    limit: LimitOpt,
    period: PeriodOpt = None,
    scope: ScopeOpt = "global",
    of: ValueOpt = None,
    peak: PeakOpt = None,
    exempt: ExemptOpt = None,
    disabled: DisabledOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace a rule (existing bookings keep what they charged)."""
    st = state(ctx)
    body = _rule_body(
        name=name,
        metric=metric,
        limit=limit,
        period=period,
        scope=scope,
        value=of,
        peak=peak,
        exempt=exempt,
        disabled=disabled,
    )
    found = st.client.put(f"quotas/rules/{path_part(rule_id)}", json=body)
    st.show(found, as_json, RULE_COLUMNS, "Quota rule updated")


@rules_app.command("delete")
def delete_rule(ctx: typer.Context, rule_id: RuleArg) -> None:
    """Remove a rule."""
    st = state(ctx)
    st.client.delete(f"quotas/rules/{path_part(rule_id)}")
    st.out.success(f"quota rule {rule_id} removed")


@overrides_app.command("list")
def list_overrides(ctx: typer.Context, tz: TzOpt = None, as_json: JsonOpt = False) -> None:
    """Overrides in force."""
    st = state(ctx)
    st.use_tz(tz)
    items = st.client.get("quotas/overrides")["items"]
    st.show_list(items, as_json, OVERRIDE_COLUMNS, title="Quota overrides", empty="none")


@overrides_app.command("set")
def set_override(
    ctx: typer.Context,
    user_id: UserArg,
    rule_id: RuleArg,
    *,
    limit: LimitOpt,
    until: Annotated[
        str | None, typer.Option("--until", help="When it lapses (default: never).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with it).")] = "",
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a user their own limit for one rule."""
    st = state(ctx)
    st.use_tz(tz)
    body: dict[str, Any] = {"limit": limit, "reason": reason}
    if until:
        body["expires_at"] = st.when(until)
    path = f"quotas/overrides/{path_part(user_id)}/{path_part(rule_id)}"
    st.show(st.client.put(path, json=body), as_json, OVERRIDE_COLUMNS, "Quota override set")


@overrides_app.command("delete")
def delete_override(ctx: typer.Context, user_id: UserArg, rule_id: RuleArg) -> None:
    """Remove a user's override."""
    st = state(ctx)
    st.client.delete(f"quotas/overrides/{path_part(user_id)}/{path_part(rule_id)}")
    st.out.success("quota override removed")
