"""The `rr` command tree: one sub-app per noun, errors turned into messages and exit 1."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer._click import Context as ClickContext  # Typer >= 0.26 vendors click
from typer.core import TyperGroup

from cli import (  # audit statistics, reservation search (audit14)
    __version__,
    admin,
    admin_audit,
    admin_metrics,  # observability (issue 15)
    admin_ops,
    approvals,
    audit,
    auth,
    availability,
    calendar,  # calendar feeds (issue 12)
    checkin,
    denials,  # explained denials and Plan B (issue 13)
    mfa,
    notifications,
    reservation_search,
    reservations,
    resource_parts,  # composite resources (issue 14)
    resource_rules,
    resources,
    series,
    setup,
    system,
    users,
    webhook_allowlist,
    webhook_deliveries,
    webhooks,
)
from cli import analytics as analytics_cli  # analytics (issue 12)
from cli import groups as groups_cli  # locations, labels, saved searches (catalog14)
from cli import labels as labels_cli
from cli import oauth as oauth_cli  # OAuth2 code flow (issue 14)
from cli import quotas as quotas_cli  # booking quotas (issue 13)
from cli import searches as searches_cli
from cli import waitlist as waitlist_cli
from cli.client import ApiError, CliError
from cli.config import ConfigError
from cli.context import TIME_EPILOG, AppState, state
from cli.output import Output
from cli.timeparse import TimeInputError, format_local, parse_api_instant, resolve_zone


class RrGroup(TyperGroup):
    """The root group: every failure below it becomes one readable message and exit 1."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except ApiError as exc:
            report_api_error(ctx, exc)
            raise typer.Exit(1) from None
        except (CliError, TimeInputError, ConfigError) as exc:
            _output(ctx).error(f"error: {exc}")
            raise typer.Exit(1) from None


def _output(ctx: ClickContext) -> Output:
    root = ctx.find_root()
    if isinstance(root.obj, AppState):
        try:
            return root.obj.out
        except TimeInputError:
            pass
    return Output(resolve_zone("UTC"))


def report_api_error(ctx: ClickContext, exc: ApiError) -> None:
    out = _output(ctx)
    out.error(f"error: {exc.message} [{exc.code}, HTTP {exc.status}]")
    for line in detail_lines(exc, out):
        out.err.print(f"  {line}", markup=False, highlight=False)


def detail_lines(exc: ApiError, out: Output) -> list[str]:
    details = exc.details
    if exc.retry_after:
        return [_retry_line(exc.retry_after, details, out)]
    if isinstance(details, dict) and ("violations" in details or "alternatives" in details):
        return _denial_lines(details, out)  # explained denials and Plan B (issue 13)
    if isinstance(details, dict) and isinstance(details.get("occurrences"), list):
        # Each refused occurrence, then its own Plan B (issue 13).
        occurrences = [o for o in details["occurrences"] if isinstance(o, dict)]
        return [
            line
            for o in occurrences
            for line in [_occurrence_line(o, out), *denials.alternative_lines(o, out)]
        ]
    if isinstance(details, dict) and isinstance(details.get("conflicts"), list):
        return [_conflict_line(c, out) for c in details["conflicts"] if isinstance(c, dict)]
    if isinstance(details, list):
        return [_detail_item(item) for item in details]
    if isinstance(details, dict) and details:
        return [f"{key}: {_readable(value, out)}" for key, value in details.items()]
    return []


def _retry_line(seconds: str, details: Any, out: Output) -> str:
    """A 429 (rate limit or attempt gate): how long, and when by the user's clock if known."""
    reset_at = details.get("reset_at") if isinstance(details, dict) else None
    when = f" (at {_readable(reset_at, out)})" if isinstance(reset_at, str) else ""
    return f"try again in {seconds} s{when}"


def _denial_lines(details: dict[str, Any], out: Output) -> list[str]:
    conflicts = [c for c in details.get("conflicts") or [] if isinstance(c, dict)]
    lines = [_conflict_line(c, out) for c in conflicts] + denials.violation_lines(details)
    return lines + denials.alternative_lines(details, out)


def _readable(value: Any, out: Output) -> str:
    """Instants in error details are shown in the user's zone, like everywhere else."""
    if isinstance(value, str) and parse_api_instant(value) is not None:
        return f"{format_local(value, out.zone)} {out.zone.key}"
    return str(value)


def _conflict_line(conflict: dict[str, Any], out: Output) -> str:
    start = format_local(conflict.get("start_time"), out.zone)
    end = format_local(conflict.get("end_time"), out.zone)
    owner = f" (reservation {conflict['reservation_id']})" if conflict.get("reservation_id") else ""
    return f"conflicts with {start} -> {end} {out.zone.key}{owner}"


def _occurrence_line(item: dict[str, Any], out: Output) -> str:
    """One failing occurrence of a series: what it collides with, or the rule it breaks."""
    start = format_local(item.get("start_time"), out.zone)
    end = format_local(item.get("end_time"), out.zone)
    number = item.get("occurrence")
    head = f"occurrence {number + 1 if isinstance(number, int) else '?'}: {start} -> {end}"
    conflicts = [c for c in item.get("conflicts") or [] if isinstance(c, dict)]
    if conflicts:
        return f"{head}: " + "; ".join(_conflict_line(c, out) for c in conflicts)
    return f"{head} {out.zone.key}: {item.get('message')} ({item.get('code')})"


def _detail_item(item: Any) -> str:
    if isinstance(item, dict):
        where = item.get("field") or item.get("row") or item.get("loc") or ""
        message = item.get("message") or item.get("msg") or item
        return f"{where}: {message}" if where else str(message)
    return str(item)


app = typer.Typer(
    cls=RrGroup,
    name="rr",
    help="Resource Reserver from the command line: sign in, find resources, book them.",
    no_args_is_help=True,
    add_completion=True,  # Typer's --install-completion / --show-completion
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rr {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            envvar="RR_API_URL",
            help="Base URL of the API (env RR_API_URL; default http://127.0.0.1:8000).",
            show_default=False,
        ),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            envvar="RR_TZ",
            help="IANA zone for times typed without an offset and for display "
            "(env RR_TZ; default the machine's zone).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    st = state(ctx)
    st.api_url_option = api_url
    st.tz_name = tz
    ctx.call_on_close(st.close)


app.add_typer(auth.app, name="auth")
app.add_typer(setup.app, name="setup")
app.add_typer(users.app, name="users")
app.add_typer(mfa.app, name="mfa")
resource_rules.register(resources.app)
resources.app.add_typer(resource_parts.app, name="parts")  # composite resources (issue 14)
app.add_typer(resources.app, name="resources")
reservations.app.command("recurring", epilog=TIME_EPILOG)(series.recurring)
app.add_typer(reservations.app, name="reservations")
app.add_typer(series.app, name="series")
app.add_typer(admin.app, name="admin")
app.add_typer(system.app, name="system")
app.add_typer(checkin.app, name="checkin")  # check-in and no-shows (issue 10)
app.add_typer(waitlist_cli.app, name="waitlist")  # waitlist
app.add_typer(approvals.app, name="approvals")  # approvals (issue 10)
app.add_typer(quotas_cli.app, name="quotas")  # booking quotas (issue 13)
app.command("reserve", epilog=TIME_EPILOG)(reservations.reserve)
app.command("upcoming")(reservations.upcoming)

# --- issue 11: the rest of the API (notifications, webhooks, audit, operations, free time) ---
availability.register(resources.app)
webhook_deliveries.register(webhooks.app)
webhooks.app.add_typer(webhook_allowlist.app, name="allowlist")
app.add_typer(notifications.app, name="notifications")
app.add_typer(webhooks.app, name="webhooks")
app.add_typer(audit.app, name="audit")
app.add_typer(calendar.app, name="calendar")  # calendar feeds (issue 12)
admin.app.add_typer(admin_ops.jobs_app, name="jobs")
# Locations, labels, saved searches (catalog14).
app.add_typer(groups_cli.app, name="groups")
app.add_typer(labels_cli.app, name="labels")
app.add_typer(searches_cli.app, name="searches")
admin.app.add_typer(admin_ops.dead_letters_app, name="dead-letters")
# --- end of issue 11 ---
# observability (issue 15): the metrics summary
admin.app.command("metrics")(admin_metrics.metrics)
app.add_typer(analytics_cli.app, name="analytics")  # analytics (issue 12)
# audit statistics and filter values, reservation search (audit14)
admin.app.add_typer(admin_audit.app, name="audit")
reservations.app.command("search", epilog=TIME_EPILOG)(reservation_search.search)
app.add_typer(oauth_cli.app, name="oauth")  # OAuth2 code flow, revoke, introspect (issue 14)


def main() -> None:
    app(prog_name="rr")


def main_long() -> None:
    """The same tree installed as `resource-reserver` (completion is keyed on the name)."""
    app(prog_name="resource-reserver")
