"""`rr resources hours|blackouts`: opening hours and closed dates (admins write).

Without `--resource` these commands act on the global default hours / global blackouts.
Hours and dates are local to the resource's own time zone (not yours).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from cli.client import CliError
from cli.context import JsonOpt, YesOpt, require, state
from cli.lookup import path_part, resource_id
from cli.output import Column
from cli.timeparse import parse_date

hours_app = typer.Typer(help="Opening hours per weekday, in the resource's own zone.")
blackouts_app = typer.Typer(help="Closed date ranges (holidays, works), per resource or global.")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_SPEC = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun|weekdays|weekend|all)="
    r"(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$"
)
_GROUPS = {"weekdays": DAYS[:5], "weekend": DAYS[5:], "all": DAYS}

ResourceOpt = Annotated[
    str | None,
    typer.Option("--resource", "-r", help="Resource id or name (default: the global setting)."),
]


def parse_days(specs: list[str]) -> dict[str, dict[str, str] | None]:
    """['weekdays=08:00-18:00', 'sat=09:00-12:00'] -> the API's week; other days closed."""
    week: dict[str, dict[str, str] | None] = dict.fromkeys(DAYS)
    for spec in specs:
        match = _DAY_SPEC.match(spec.strip().lower())
        if not match:
            raise CliError(
                f"cannot read {spec!r}: use DAY=HH:MM-HH:MM with DAY one of "
                f"{', '.join(DAYS)}, weekdays, weekend, all"
            )
        day, opens, closes = match.groups()
        for name in _GROUPS.get(day, (day,)):
            week[name] = {"opens": opens.zfill(5), "closes": closes.zfill(5)}
    return week


def _hours_path(ctx: typer.Context, resource: str | None) -> str:
    if resource is None:
        return "business-hours/default"
    return f"resources/{resource_id(state(ctx).client, resource)}/business-hours"


def _show_week(ctx: typer.Context, answer: Any, as_json: bool, label: str) -> None:
    st = state(ctx)
    if as_json:
        st.out.json(answer)
        return
    source = answer.get("source", "default" if label == "default" else "resource")
    days = answer.get("effective", answer.get("days"))
    if days is None:
        st.out.line(f"{label}: always open ({_SOURCES.get(source, source)}).")
        return
    rows = [{"day": day, **(days.get(day) or {"opens": "closed"})} for day in DAYS]
    st.out.table(
        rows,
        [Column("day", "day"), Column("opens", "opens"), Column("closes", "closes")],
        title=f"Hours of {label} ({_SOURCES.get(source, source)})",
    )


_SOURCES = {
    "resource": "its own hours",
    "default": "the global default",
    "always_open": "no hours set anywhere",
}


@hours_app.command("show")
def hours_show(ctx: typer.Context, resource: ResourceOpt = None, as_json: JsonOpt = False) -> None:
    """Show opening hours (of a resource, or the global default)."""
    answer = state(ctx).client.get(_hours_path(ctx, resource))
    _show_week(ctx, answer, as_json, resource or "default")


@hours_app.command("set")
def hours_set(
    ctx: typer.Context,
    day: Annotated[
        list[str] | None,
        typer.Option(
            "--day",
            help="DAY=HH:MM-HH:MM, repeatable; DAY: mon..sun, weekdays, "
            "weekend, all. Days not given are closed.",
        ),
    ] = None,
    clear: Annotated[
        bool,
        typer.Option(
            "--clear",
            help="Remove the hours: a resource then uses the global "
            "default; the global default then means always open.",
        ),
    ] = False,
    resource: ResourceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set opening hours (admins)."""
    require(bool(day) != clear, "give --day (one or more) or --clear")
    body = {"days": None if clear else parse_days(day or [])}
    answer = state(ctx).client.put(_hours_path(ctx, resource), json=body)
    _show_week(ctx, answer, as_json, resource or "default")


BLACKOUT_COLUMNS = [
    Column("blackout_id", "id"),
    Column("scope", "scope"),
    Column("start_date", "from"),
    Column("end_date", "to (incl.)"),
    Column("reason", "reason"),
]


def _blackouts_path(ctx: typer.Context, resource: str | None) -> str:
    if resource is None:
        return "blackouts"
    return f"resources/{resource_id(state(ctx).client, resource)}/blackouts"


@blackouts_app.command("list")
def blackouts_list(
    ctx: typer.Context,
    resource: ResourceOpt = None,
    since: Annotated[
        str | None, typer.Option("--from", help="First date, YYYY-MM-DD (default: today).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Last date (default: a year after --from).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Closed date ranges of a resource (its own and the global ones), or the global ones."""
    st = state(ctx)
    params = {
        "from": parse_date(since).isoformat() if since else None,
        "to": parse_date(until).isoformat() if until else None,
    }
    answer = st.client.get(_blackouts_path(ctx, resource), params=params)
    items = answer.get("items", answer) if isinstance(answer, dict) else answer
    st.show_list(items, as_json, BLACKOUT_COLUMNS, title="Blackouts", empty="no blackouts")


@blackouts_app.command("add")
def blackouts_add(
    ctx: typer.Context,
    start: Annotated[str, typer.Argument(help="First closed day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Argument(help="Last closed day (inclusive), YYYY-MM-DD.")],
    *,
    reason: Annotated[str, typer.Option("--reason", help="Why (shown to people).")],
    resource: ResourceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close a resource (or every resource) for a date range (admins)."""
    st = state(ctx)
    body = {
        "start_date": parse_date(start).isoformat(),
        "end_date": parse_date(end).isoformat(),
        "reason": reason,
    }
    answer = st.client.post(_blackouts_path(ctx, resource), json=body)
    st.show(answer, as_json, BLACKOUT_COLUMNS, title="Blackout added")


@blackouts_app.command("delete")
def blackouts_delete(
    ctx: typer.Context,
    blackout_id: Annotated[str, typer.Argument(help="The blackout's id.")],
    resource: ResourceOpt = None,
    yes: YesOpt = False,
) -> None:
    """Remove a blackout (admins)."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Remove blackout {blackout_id}?", abort=True)
    st.client.delete(f"{_blackouts_path(ctx, resource)}/{path_part(blackout_id)}")
    st.out.success(f"Blackout {blackout_id} removed.")
