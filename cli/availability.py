"""`rr resources slots` and `rr resources next`: when one resource is free.

Slots are computed by the API in the resource's own zone (business hours, blackouts,
maintenance, buffers, notice); the table shows them in the user's zone like every other
time, with the resource's wall clock next to them when the zones differ.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.client import CliError
from cli.context import TIME_EPILOG, JsonOpt, TzOpt, state, time_option_help
from cli.lookup import path_part, resource_id
from cli.output import Column
from cli.timeparse import format_duration, parse_api_instant, parse_date, parse_duration

ResourceArg = Annotated[str, typer.Argument(help="Resource id, or its exact name.")]

SLOT_COLUMNS = [
    Column("start_time", "from", "time"),
    Column("end_time", "until", "time"),
    Column("length", "length"),
    Column("local", "resource's clock"),
]


def _row(slot: dict[str, Any]) -> dict[str, Any]:
    start = parse_api_instant(str(slot.get("start_time")))
    end = parse_api_instant(str(slot.get("end_time")))
    length = format_duration(end - start) if start and end else None
    local = f"{str(slot.get('local_start'))[11:16]}-{str(slot.get('local_end'))[11:16]}"
    return {**slot, "length": length, "local": local}


def slots(
    ctx: typer.Context,
    resource: ResourceArg,
    *,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Local date YYYY-MM-DD in the resource's zone (default: its today).",
            show_default=False,
        ),
    ] = None,
    slot: Annotated[
        str | None,
        typer.Option(
            "--slot",
            help="Cut the free time into slots of this length, e.g. 30m, 1h.",
            show_default=False,
        ),
    ] = None,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Free time of a resource on one date (free intervals, or fixed slots with --slot)."""
    st = state(ctx)
    st.use_tz(tz)
    params = {
        "date": parse_date(day).isoformat() if day else None,
        "slot_minutes": _minutes(slot) if slot else None,
    }
    rid = resource_id(st.client, resource)
    answer = st.client.get(f"resources/{path_part(rid)}/availability", params=params)
    if as_json:
        st.out.json(answer)
        return
    st.out.table(
        [_row(s) for s in answer.get("slots") or []],
        SLOT_COLUMNS,
        title=f"Free on {answer.get('date')} ({answer.get('timezone')}) - {resource}",
        empty=f"{resource} has no free time on {answer.get('date')}",
    )


def next_free(
    ctx: typer.Context,
    resource: ResourceArg,
    *,
    duration: Annotated[
        str, typer.Option("--duration", "-d", help="How long you need it, e.g. 30m, 1h30m.")
    ] = "1h",
    after: Annotated[
        str | None,
        typer.Option(
            "--after", help=time_option_help("Search from (default now)"), show_default=False
        ),
    ] = None,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The next free window of a given length (exit 1 when none is found)."""
    st = state(ctx)
    st.use_tz(tz)
    params = {"duration_minutes": _minutes(duration), "after": st.when(after)}
    rid = resource_id(st.client, resource)
    answer = st.client.get(f"resources/{path_part(rid)}/next-available", params=params)
    found = answer.get("slot")
    if as_json:
        st.out.json(answer)
    elif found:
        st.out.table([_row(found)], SLOT_COLUMNS, title=f"Next free {duration} - {resource}")
    if found is None:
        until = answer.get("searched_until")
        where = f" up to {st.out.render(until, 'time')} {st.zone.key}" if until else ""
        hint = f"; search on with --after {until}" if until else ""
        st.out.error(f"error: {resource} has no free {duration} window{where}{hint}")
        raise typer.Exit(1)


def _minutes(text: str) -> int:
    seconds = parse_duration(text).total_seconds()
    if seconds % 60 or seconds <= 0:
        raise CliError(f"{text!r} is not a whole number of minutes")
    return int(seconds // 60)


def register(app: typer.Typer) -> None:
    """Attach these commands to `rr resources` (called by cli/app.py)."""
    app.command("slots", epilog=TIME_EPILOG)(slots)
    app.command("next", epilog=TIME_EPILOG)(next_free)
