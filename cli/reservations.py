"""`rr reservations` (+ the `rr reserve` and `rr upcoming` shortcuts): book and manage."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import typer

from cli import lookup
from cli.client import ApiError, CliError
from cli.context import (
    TIME_EPILOG,
    AllOpt,
    AppState,
    CursorOpt,
    JsonOpt,
    LimitOpt,
    TzOpt,
    YesOpt,
    require,
    state,
    time_option_help,
)
from cli.denials import show_check
from cli.lookup import path_part, resource_id
from cli.output import Column
from cli.reservations_bulk import bulk, bulk_cancel
from cli.reservations_io import export as export_reservations
from cli.reservations_io import import_csv
from cli.timeparse import parse_duration, to_api

app = typer.Typer(help="Book resources and manage your reservations.")

IdArg = Annotated[str, typer.Argument(help="Reservation id.")]
ResourceOpt = Annotated[str, typer.Option("--resource", "-r", help="Resource id or exact name.")]
StartOpt = Annotated[str, typer.Option("--start", "-s", help=time_option_help("Start"))]
EndOpt = Annotated[
    str | None, typer.Option("--end", "-e", help=time_option_help("End (or give --duration)"))
]
DurationOpt = Annotated[
    str | None, typer.Option("--duration", "-d", help="Length instead of --end: 30m, 1h, 1h30m.")
]
NotesOpt = Annotated[str | None, typer.Option("--notes", help="Notes for the booking.")]
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="Makes the booking safe to retry: the same key returns the first result instead "
        "of booking twice (default: a random key, reused by automatic retries).",
        show_default=False,
    ),
]
OverrideOpt = Annotated[
    bool, typer.Option("--override", help="Admins: ignore business hours and blackouts.")
]

COLUMNS = [
    Column("reservation_id", "id"),
    Column("resource_name", "resource"),
    Column("start_time", "start", "time"),
    Column("end_time", "end", "time"),
    Column("status", "status", styled=True),
    Column("notes", "notes"),
]
DETAIL_COLUMNS = [
    Column("reservation_id", "id"),
    Column("resource_name", "resource"),
    Column("resource_id", "resource id"),
    Column("user_id", "user"),
    Column("start_time", "start", "time"),
    Column("end_time", "end", "time"),
    Column("status", "status", styled=True),
    Column("notes", "notes"),
    Column("override_by", "overridden by"),
    Column("cancellation_reason", "cancel reason"),
    Column("series_id", "series"),
    Column("created_at", "created", "time"),
    Column("version", "version"),
]
HISTORY_COLUMNS = [
    Column("at", "when", "time"),
    Column("action", "action"),
    Column("actor_id", "by"),
    Column("reason", "reason"),
    Column("details", "details"),
]


def with_names(st: AppState, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for people: the resource's name next to its id. Listings carry `resource_name`
    already; for rows without it, one read per distinct resource (at most _NAMED of them; an
    unreadable one just keeps its id)."""
    names: dict[str, str] = {
        str(item["resource_id"]): str(item["resource_name"])
        for item in items
        if item.get("resource_name")
    }
    unnamed = (str(item.get("resource_id")) for item in items if not item.get("resource_name"))
    for rid in [r for r in dict.fromkeys(unnamed) if r not in names][:_NAMED]:
        try:
            names[rid] = str(st.client.get(f"resources/{path_part(rid)}").get("name") or rid)
        except (ApiError, CliError):
            names[rid] = rid
    return [
        {**item, "resource_name": names.get(str(item.get("resource_id")), item.get("resource_id"))}
        for item in items
    ]


_NAMED = 20


def window(st: AppState, start: str, end: str | None, duration: str | None) -> tuple[str, str]:
    """--start with --end or --duration -> two ISO instants with offsets."""
    require((end is None) != (duration is None), "give exactly one of --end and --duration")
    begin = st.moment(start)
    finish = st.moment(end) if end is not None else begin + parse_duration(duration or "")
    require(finish > begin, "the end must be after the start")
    return to_api(begin), to_api(finish)


DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Only check: every rule, quota usage after, conflicts, approval, Plan B.",
    ),
]


def _book(
    ctx: typer.Context,
    resource: str,
    span: tuple[str, str],
    *,
    notes: str | None,
    key: str | None,
    override: bool,
    as_json: bool,
    dry_run: bool = False,
) -> None:
    st = state(ctx)
    body: dict[str, Any] = {
        "resource_id": resource_id(st.client, resource),
        "start_time": span[0],
        "end_time": span[1],
    }
    if notes:
        body["notes"] = notes
    if override:
        body["override"] = True
    if dry_run:  # the what-if check (issue 13): nothing is written
        result = st.client.post("reservations/check", json=body)
        if as_json:
            st.out.json(result)
        else:
            show_check(result, st.out)
        return
    created = st.client.post("reservations", json=body, idempotency_key=key or str(uuid.uuid4()))
    if as_json:
        st.out.json(created)
        return
    st.out.record(with_names(st, [created])[0], COLUMNS, title="Reserved")
    if created.get("status") == "pending_approval":
        st.out.notice("This resource needs approval: the slot is held until it is decided.")


@app.command(epilog=TIME_EPILOG)
def create(
    ctx: typer.Context,
    *,
    resource: ResourceOpt,
    start: StartOpt,
    end: EndOpt = None,
    duration: DurationOpt = None,
    notes: NotesOpt = None,
    idempotency_key: KeyOpt = None,
    override: OverrideOpt = False,
    dry_run: DryRunOpt = False,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Book a resource for a time window (--dry-run: only say what would happen)."""
    st = state(ctx)
    st.use_tz(tz)
    span = window(st, start, end, duration)
    _book(
        ctx,
        resource,
        span,
        notes=notes,
        key=idempotency_key,
        override=override,
        as_json=as_json,
        dry_run=dry_run,
    )


def reserve(
    ctx: typer.Context,
    resource: Annotated[str, typer.Argument(help="Resource id or exact name.")],
    start: Annotated[str, typer.Argument(help=time_option_help("Start"))],
    end: Annotated[str | None, typer.Argument(help="End (default: start + --duration).")] = None,
    *,
    duration: Annotated[
        str, typer.Option("--duration", "-d", help="Length when no END is given.")
    ] = "1h",
    notes: NotesOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Quick booking: rr reserve "Room A" "tomorrow 10:00" [END] [--duration 1h] [--dry-run]."""
    st = state(ctx)
    st.use_tz(tz)
    span = window(st, start, end, None if end else duration)
    _book(
        ctx,
        resource,
        span,
        notes=notes,
        key=idempotency_key,
        override=False,
        as_json=as_json,
        dry_run=dry_run,
    )


StatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help="Repeatable: active, pending_approval, held, cancelled, rejected, expired, "
        "no_show, or any (default: the ones that still hold a slot).",
    ),
]


def _listing(
    ctx: typer.Context,
    path: str,
    params: dict[str, Any],
    *,
    all_pages: bool,
    as_json: bool,
    title: str,
) -> None:
    st = state(ctx)
    with st.out.pages("reservations") as progress:
        items = list(st.client.paginate(path, params, all_pages=all_pages, on_page=progress))
    columns = (
        COLUMNS if "admin" not in path else [*COLUMNS[:1], Column("user_id", "user"), *COLUMNS[1:]]
    )
    rows = items if as_json else with_names(st, items)
    st.show_list(rows, as_json, columns, title=title, empty="no reservations")


@app.command("list", epilog=TIME_EPILOG)
def list_reservations(
    ctx: typer.Context,
    *,
    status: StatusOpt = None,
    since: Annotated[str | None, typer.Option("--from", help=time_option_help("From"))] = None,
    until: Annotated[str | None, typer.Option("--to", help=time_option_help("Until"))] = None,
    resource: Annotated[
        str | None, typer.Option("--resource", "-r", help="Only this resource (id or name).")
    ] = None,
    everyone: Annotated[
        bool, typer.Option("--everyone", help="Admins: everybody's reservations.")
    ] = False,
    user: Annotated[
        str | None, typer.Option("--user", help="Admins: one user's (id or username).")
    ] = None,
    desc: Annotated[
        bool, typer.Option("--desc", help="Latest first (yours only; with no window: all).")
    ] = False,
    tz: TzOpt = None,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Your reservations (admins: --everyone or --user)."""
    st = state(ctx)
    st.use_tz(tz)
    params = {
        "status": status,
        "from": st.when(since),
        "to": st.when(until),
        "resource_id": resource_id(st.client, resource) if resource else None,
        "limit": limit,
        "cursor": cursor,
    }
    if everyone or user:
        params["user_id"] = lookup.user_id(st.client, user) if user else None
        _listing(
            ctx,
            "admin/reservations",
            params,
            all_pages=all_pages,
            as_json=as_json,
            title="All reservations",
        )
    else:
        params["order"] = "desc" if desc else None
        _listing(
            ctx,
            "reservations/my",
            params,
            all_pages=all_pages,
            as_json=as_json,
            title="My reservations",
        )


def upcoming(
    ctx: typer.Context,
    limit: LimitOpt = 20,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Your reservations from now on."""
    st = state(ctx)
    st.use_tz(tz)
    params = {"from": st.when("now"), "limit": limit}
    _listing(ctx, "reservations/my", params, all_pages=False, as_json=as_json, title="Upcoming")


@app.command()
def get(ctx: typer.Context, reservation: IdArg, as_json: JsonOpt = False) -> None:
    """Show one reservation (yours, or any for admins)."""
    st = state(ctx)
    found = st.client.get(f"reservations/{path_part(reservation)}")
    st.show(
        found if as_json else with_names(st, [found])[0],
        as_json,
        DETAIL_COLUMNS,
        title="Reservation",
    )


@app.command()
def cancel(
    ctx: typer.Context,
    reservation: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")] = "",
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a reservation (frees the slot)."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Cancel reservation {reservation}?", abort=True)
    answer = st.client.post(
        f"reservations/{path_part(reservation)}/cancel", json={"reason": reason}
    )
    if as_json:
        st.out.json(answer)
        return
    st.out.success(f"Reservation {reservation} cancelled.")


@app.command()
def history(ctx: typer.Context, reservation: IdArg, as_json: JsonOpt = False) -> None:
    """Who did what to a reservation, and when."""
    st = state(ctx)
    path = f"reservations/{path_part(reservation)}/history"
    with st.out.pages("history entries") as progress:
        items = list(st.client.paginate(path, {"limit": 100}, all_pages=True, on_page=progress))
    st.show_list(items, as_json, HISTORY_COLUMNS, title=f"History of {reservation}")


@app.command(epilog=TIME_EPILOG)
def reschedule(
    ctx: typer.Context,
    reservation: IdArg,
    *,
    start: StartOpt,
    end: EndOpt = None,
    duration: DurationOpt = None,
    resource: Annotated[
        str | None, typer.Option("--resource", "-r", help="Move to another resource too.")
    ] = None,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a reservation to a new window (it may overlap its own old one)."""
    st = state(ctx)
    st.use_tz(tz)
    span = window(st, start, end, duration)
    body: dict[str, Any] = {"start_time": span[0], "end_time": span[1]}
    if resource:
        body["resource_id"] = resource_id(st.client, resource)
    moved = st.client.patch(f"reservations/{path_part(reservation)}", json=body)
    st.show(moved if as_json else with_names(st, [moved])[0], as_json, COLUMNS, title="Rescheduled")


app.command("bulk", epilog=TIME_EPILOG)(bulk)
app.command("bulk-cancel")(bulk_cancel)
# CSV import and paged export (issue 14)
app.command("import")(import_csv)
app.command("export")(export_reservations)
