"""`rr resources ...`: live status, maintenance, enable/disable, schedule, tags (admins write)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer

from cli.client import CliError
from cli.context import TIME_EPILOG, JsonOpt, TzOpt, YesOpt, state, time_option_help
from cli.lookup import path_part, resource_id
from cli.output import Column

ResourceArg = Annotated[str, typer.Argument(help="Resource id, or its exact name.")]

tags_app = typer.Typer(help="Tags across all resources (admins rename and delete).")

STATUS_COLUMNS = [
    Column("status", "status", styled=True),
    Column("maintenance.reason", "maintenance reason"),
    Column("maintenance.started_at", "maintenance since", "time"),
    Column("maintenance.auto_reset_at", "maintenance ends", "time"),
    Column("maintenance.seconds_until_reset", "resets in", "seconds"),
    Column("enabled", "enabled", "bool"),
    Column("current_reservation.reservation_id", "current reservation"),
    Column("current_reservation.end_time", "in use until", "time"),
]
SCHEDULE_COLUMNS = [
    Column("start_time", "start", "time"),
    Column("end_time", "end", "time"),
    Column("status", "status", styled=True),
    Column("mine", "mine", "bool"),
    Column("reservation_id", "reservation"),
    Column("user_id", "user"),
]


def status(ctx: typer.Context, resource: ResourceArg, as_json: JsonOpt = False) -> None:
    """Live status: available, in use (until when), maintenance (until when), disabled."""
    st = state(ctx)
    answer = st.client.get(f"resources/{resource_id(st.client, resource)}/status")
    st.show(answer, as_json, STATUS_COLUMNS, title=resource)


def maintenance(
    ctx: typer.Context,
    resource: ResourceArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (shown to people).")],
    auto_reset_hours: Annotated[
        int,
        typer.Option("--auto-reset-hours", min=0, help="Back to service after N hours; 0: never."),
    ] = 8,
    as_json: JsonOpt = False,
) -> None:
    """Put a resource in maintenance (admins); `rr resources available` ends it."""
    st = state(ctx)
    answer = st.client.put(
        f"resources/{resource_id(st.client, resource)}/status/unavailable",
        json={"reason": reason, "auto_reset_hours": auto_reset_hours},
    )
    if as_json:
        st.out.json(answer)
        return
    until = f" for {auto_reset_hours} h" if auto_reset_hours else " until ended"
    st.out.success(f"{resource} is in maintenance{until}.")


def available(ctx: typer.Context, resource: ResourceArg, as_json: JsonOpt = False) -> None:
    """End maintenance now (admins)."""
    st = state(ctx)
    answer = st.client.put(
        f"resources/{resource_id(st.client, resource)}/status/available", json={}
    )
    _done(ctx, answer, as_json, f"{resource} is back in service.")


def enable(ctx: typer.Context, resource: ResourceArg, as_json: JsonOpt = False) -> None:
    """Allow bookings of a resource (admins)."""
    _set_enabled(ctx, resource, True, as_json)


def disable(ctx: typer.Context, resource: ResourceArg, as_json: JsonOpt = False) -> None:
    """Refuse new bookings of a resource (admins)."""
    _set_enabled(ctx, resource, False, as_json)


def _set_enabled(ctx: typer.Context, resource: str, enabled: bool, as_json: bool) -> None:
    st = state(ctx)
    answer = st.client.put(
        f"resources/{resource_id(st.client, resource)}/availability", json={"enabled": enabled}
    )
    _done(ctx, answer, as_json, f"{resource} is {'enabled' if enabled else 'disabled'}.")


def _done(ctx: typer.Context, answer: object, as_json: bool, message: str) -> None:
    st = state(ctx)
    if as_json:
        st.out.json(answer)
    else:
        st.out.success(message)


def schedule(
    ctx: typer.Context,
    resource: ResourceArg,
    *,
    start: Annotated[
        str, typer.Option("--from", help=time_option_help("Window start (default: now)"))
    ] = "now",
    end: Annotated[
        str | None,
        typer.Option("--to", help=time_option_help("Window end (default: 7 days after start)")),
    ] = None,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Occupied slots of a resource in a window (others' bookings show as busy)."""
    st = state(ctx)
    st.use_tz(tz)
    begin = st.moment(start)
    finish = st.moment(end) if end else begin + timedelta(days=7)
    path = f"resources/{resource_id(st.client, resource)}/schedule"
    params = {"from": begin.isoformat(), "to": finish.isoformat(), "limit": 100}
    with st.out.pages("busy blocks") as progress:
        items = list(st.client.paginate(path, params, all_pages=True, on_page=progress))
    st.show_list(
        items,
        as_json,
        SCHEDULE_COLUMNS,
        title=f"{resource}: schedule",
        empty="nothing booked in this window",
    )


def summary(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """How many resources exist, are enabled, are in maintenance."""
    st = state(ctx)
    answer = st.client.get("resources/availability/summary")
    columns = (
        [Column(key, key.replace("_", " ")) for key in answer] if isinstance(answer, dict) else []
    )
    st.show(answer, as_json, columns, title="Resources")


@tags_app.command("list")
def tags_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every tag in use, with how many resources carry it."""
    st = state(ctx)
    with st.out.pages("tags") as progress:
        items = list(
            st.client.paginate("resources/tags", {"limit": 100}, all_pages=True, on_page=progress)
        )
    st.show_list(
        items, as_json, [Column("tag", "tag"), Column("count", "resources")], empty="no tags"
    )


@tags_app.command("rename")
def tags_rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="Current tag.")],
    new: Annotated[str, typer.Argument(help="New tag (merged if it exists).")],
    as_json: JsonOpt = False,
) -> None:
    """Rename a tag on every resource (admins)."""
    answer = _until_complete(ctx, "PUT", "resources/tags/rename", {"from": old, "to": new})
    _done(ctx, answer, as_json, f"Tag {old} renamed to {new} on {answer['updated']} resource(s).")


@tags_app.command("delete")
def tags_delete(
    ctx: typer.Context,
    tag: Annotated[str, typer.Argument(help="Tag to remove from every resource.")],
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a tag from every resource (admins)."""
    if not yes:
        typer.confirm(f"Remove tag {tag!r} from every resource?", abort=True)
    answer = _until_complete(ctx, "DELETE", f"resources/tags/{path_part(tag)}", None)
    _done(ctx, answer, as_json, f"Tag {tag} removed from {answer['updated']} resource(s).")


def _until_complete(
    ctx: typer.Context, method: str, path: str, body: dict[str, str] | None
) -> dict[str, Any]:
    """Tag changes touch many resources: the API does a bounded batch per call and says
    `complete: false` until done, so repeat (each call is idempotent) and add up."""
    st = state(ctx)
    total = 0
    with st.out.pages("resources retagged") as progress:
        for calls in range(1, 1001):
            answer = st.client.request(method, path, json=body)
            total += int(answer.get("updated", 0))
            progress(calls, total)
            if answer.get("complete", True):
                return {"updated": total, "complete": True}
    raise CliError(f"the tag change is still incomplete after {calls} calls; run it again")


def register(app: typer.Typer) -> None:
    """Attach these commands to `rr resources` (called by cli/app.py)."""
    from cli import resource_hours

    for command in (status, maintenance, available, enable, disable, summary):
        app.command()(command)
    app.command(epilog=TIME_EPILOG)(schedule)
    app.add_typer(tags_app, name="tags")
    app.add_typer(resource_hours.hours_app, name="hours")
    app.add_typer(resource_hours.blackouts_app, name="blackouts")
