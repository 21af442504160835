"""`rr series get|cancel` and `rr reservations recurring` (registered on the reservations
group in cli/app.py, which imports both modules: no import cycle).

`--skip-conflicts` sends `conflict_policy: skip_conflicts`: the API leaves out the occurrences
already taken and lists them in `skipped`; otherwise any taken occurrence refuses the series.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from cli.context import AppState, JsonOpt, TzOpt, YesOpt, require, state
from cli.lookup import path_part, resource_id
from cli.output import Column
from cli.reservations import (
    DurationOpt,
    EndOpt,
    KeyOpt,
    NotesOpt,
    OverrideOpt,
    ResourceOpt,
    StartOpt,
    window,
)
from cli.timeparse import TimeInputError, parse_date, to_api

app = typer.Typer(help="Recurring series: show one, cancel it (or from one occurrence on).")

_FREQUENCIES = {
    "day": "daily",
    "daily": "daily",
    "week": "weekly",
    "weekly": "weekly",
    "month": "monthly",
    "monthly": "monthly",
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # API: 0 = Monday

SERIES_COLUMNS = [
    Column("series_id", "series"),
    Column("resource_id", "resource"),
    Column("rrule", "rule"),
    Column("status", "status", styled=True),
    Column("start_time", "first start", "time"),
    Column("end_time", "first end", "time"),
    Column("notes", "notes"),
    Column("cancellation_reason", "cancel reason"),
    Column("created_at", "created", "time"),
]
OCCURRENCE_COLUMNS = [
    Column("reservation_id", "id"),
    Column("start_time", "start", "time"),
    Column("end_time", "end", "time"),
    Column("status", "status", styled=True),
    Column("cancellation_reason", "cancel reason"),
]
SeriesArg = Annotated[str, typer.Argument(help="Series id.")]


@dataclass
class Rule:
    """What the options say about the recurrence, before it becomes a request body."""

    rrule: str | None = None
    every: str | None = None
    interval: int | None = None
    on: str | None = None
    count: int | None = None
    until: str | None = None
    exdates: list[str] = field(default_factory=list)


def _weekdays(text: str) -> list[int]:
    days = []
    for part in text.split(","):
        name = part.strip().lower()[:3]
        require(name in _WEEKDAYS, f"unknown weekday {part.strip()!r}: use mon,tue,...,sun")
        days.append(_WEEKDAYS.index(name))
    return sorted(set(days))


def _exdate(st: AppState, value: str) -> str:
    """A date drops every occurrence on that local date (the resource's zone); a time drops
    the occurrence starting at that instant."""
    try:
        return parse_date(value).isoformat()
    except TimeInputError:
        return to_api(st.moment(value))


def rule_body(st: AppState, rule: Rule) -> dict[str, Any]:
    """`rrule` or the simple `recurrence` form, plus `exdates`; bad combinations refused."""
    require((rule.rrule is None) != (rule.every is None), "give exactly one of --rrule and --every")
    require(rule.count is None or rule.until is None, "give at most one of --count and --until")
    until = parse_date(rule.until).isoformat() if rule.until is not None else None
    body: dict[str, Any] = {}
    if rule.rrule is not None:
        require(rule.interval is None and rule.on is None, "--interval and --on go with --every")
        text = rule.rrule.strip().removeprefix("RRULE:")
        if rule.count is not None:
            text += f";COUNT={rule.count}"
        if until is not None:
            text += f";UNTIL={until.replace('-', '')}"
        body["rrule"] = text
    else:
        frequency = _FREQUENCIES.get((rule.every or "").lower())
        require(frequency is not None, "--every takes day, week or month")
        recurrence: dict[str, Any] = {"frequency": frequency}
        if rule.interval is not None:
            recurrence["interval"] = rule.interval
        if rule.on is not None:
            require(frequency == "weekly", "--on goes with --every week")
            recurrence["days_of_week"] = _weekdays(rule.on)
        if rule.count is not None:
            recurrence["end"] = {"count": rule.count}
        elif until is not None:
            recurrence["end"] = {"until": until}
        body["recurrence"] = recurrence
    if rule.exdates:
        body["exdates"] = [_exdate(st, value) for value in rule.exdates]
    return body


def book_series(
    st: AppState, body: dict[str, Any], key: str | None, *, skip_conflicts: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """POST the series with its conflict policy; returns it and the skipped occurrences."""
    request = {**body, "conflict_policy": "skip_conflicts" if skip_conflicts else "all_or_nothing"}
    series: dict[str, Any] = st.client.post(
        "reservations/recurring", json=request, idempotency_key=key or str(uuid.uuid4())
    )
    return series, list(series.get("skipped") or [])


def recurring(
    ctx: typer.Context,
    *,
    resource: ResourceOpt,
    start: StartOpt,
    end: EndOpt = None,
    duration: DurationOpt = None,
    rrule: Annotated[
        str | None,
        typer.Option("--rrule", help='RFC 5545 rule, e.g. "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10".'),
    ] = None,
    every: Annotated[
        str | None, typer.Option("--every", help="Instead of --rrule: day, week or month.")
    ] = None,
    interval: Annotated[
        int | None, typer.Option("--interval", min=1, max=365, help="Every N days/weeks/months.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="With --every week: weekdays, e.g. mon,wed.")
    ] = None,
    count: Annotated[
        int | None, typer.Option("--count", min=1, max=100, help="Number of occurrences.")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last date, inclusive, in the resource's zone (YYYY-MM-DD)."),
    ] = None,
    exdate: Annotated[
        list[str] | None,
        typer.Option(
            "--exdate",
            help="Repeatable: skip this local date (YYYY-MM-DD) or the occurrence at this time.",
        ),
    ] = None,
    skip_conflicts: Annotated[
        bool,
        typer.Option(
            "--skip-conflicts",
            help="Book the free occurrences and skip the taken ones (default: all or nothing).",
        ),
    ] = False,
    notes: NotesOpt = None,
    idempotency_key: KeyOpt = None,
    override: OverrideOpt = False,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Book a recurring series: --rrule RULE, or --every week --on mon,wed --count 10."""
    st = state(ctx)
    st.use_tz(tz)
    span = window(st, start, end, duration)
    rule = Rule(rrule, every, interval, on, count, until, list(exdate or []))
    body: dict[str, Any] = {"start_time": span[0], "end_time": span[1], **rule_body(st, rule)}
    body["resource_id"] = resource_id(st.client, resource)
    if notes:
        body["notes"] = notes
    if override:
        body["override"] = True
    series, skipped = book_series(st, body, idempotency_key, skip_conflicts=skip_conflicts)
    for occurrence in skipped:
        when = f"{st.out.render(occurrence['start_time'], 'time')} {st.zone.key}"
        st.out.notice(f"skipped (already taken): {when}")
    if as_json:
        st.out.json(series)
        return
    _show_series(st, series, title=f"Booked {len(series.get('occurrences', []))} occurrences")
    if any(o.get("status") == "pending_approval" for o in series.get("occurrences", [])):
        st.out.notice("This resource needs approval: the slots are held until it is decided.")


def _show_series(st: AppState, series: dict[str, Any], *, title: str) -> None:
    st.out.record(series, SERIES_COLUMNS, title=title)
    st.out.table(series.get("occurrences", []), OCCURRENCE_COLUMNS, title="Occurrences")


@app.command()
def get(ctx: typer.Context, series: SeriesArg, as_json: JsonOpt = False) -> None:
    """Show a series and its occurrences (yours, or any for admins)."""
    st = state(ctx)
    found = st.client.get(f"series/{path_part(series)}")
    if as_json:
        st.out.json(found)
        return
    _show_series(st, found, title="Series")


@app.command()
def cancel(
    ctx: typer.Context,
    series: SeriesArg,
    *,
    following: Annotated[
        str | None,
        typer.Option(
            "--following",
            help="Cancel this occurrence (reservation id) and every later one; "
            "the earlier ones stay booked.",
        ),
    ] = None,
    everything: Annotated[
        bool,
        typer.Option("--all", help="Also the occurrences already started (default: future ones)."),
    ] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")] = "",
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a series: its future occurrences (default), --all, or --following RESERVATION."""
    st = state(ctx)
    require(not (following and everything), "give at most one of --following and --all")
    body: dict[str, Any] = {"reason": reason, "scope": "all" if everything else "future"}
    if following:
        body.update(scope="following", from_reservation_id=following)
    if not yes:
        what = f"from occurrence {following} on" if following else body["scope"]
        typer.confirm(f"Cancel series {series} ({what})?", abort=True)
    answer = st.client.post(f"series/{path_part(series)}/cancel", json=body)
    if as_json:
        st.out.json(answer)
        return
    occurrences = answer.get("occurrences", [])
    done = sum(1 for o in occurrences if o.get("status") == "cancelled")
    st.out.success(
        f"Series {series}: {done} of {len(occurrences)} occurrences cancelled; "
        f"the series is {answer['status']}."
    )
    st.out.table(answer.get("occurrences", []), OCCURRENCE_COLUMNS, title="Occurrences")
