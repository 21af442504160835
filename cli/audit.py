"""`rr audit`: who did what, when, through which channel (admins query everyone; every user
sees their own activity), and exports to CSV or JSON files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import (
    TIME_EPILOG,
    AllOpt,
    CursorOpt,
    JsonOpt,
    LimitOpt,
    require,
    state,
    time_option_help,
)
from cli.download import download
from cli.listing import fetch_items
from cli.lookup import path_part, user_id
from cli.output import Column

app = typer.Typer(help="The audit log: who did what, when, and from where.")

EXPORT_MAX_ROWS = 10_000  # the API's cap per export

ActionOpt = Annotated[
    str | None, typer.Option("--action", help="e.g. reservation.cancelled.", show_default=False)
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help=time_option_help("From"), show_default=False)
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help=time_option_help("Up to"), show_default=False)
]
EntityTypeOpt = Annotated[
    str | None,
    typer.Option("--entity-type", help="e.g. reservation, resource, user.", show_default=False),
]
EntityIdOpt = Annotated[
    str | None,
    typer.Option("--entity-id", help="One entity (needs --entity-type).", show_default=False),
]
ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", help="Who did it: user id or username.", show_default=False),
]

COLUMNS = [
    Column("at", "when", "time"),
    Column("actor_id", "actor"),
    Column("channel", "channel"),
    Column("action", "action"),
    Column("entity_type", "entity"),
    Column("entity_id", "entity id"),
    Column("changed", "changed"),
]
DETAIL_COLUMNS = [
    Column("entry_id", "id"),
    *COLUMNS[:6],
    Column("client_ip", "client address"),
    Column("correlation_id", "correlation id"),
    Column("changes", "changes", "json"),
]


def _changed(entry: dict[str, Any]) -> dict[str, Any]:
    """The changed field names, so a row stays one line (`rr audit show` has the values)."""
    return {**entry, "changed": ", ".join(sorted(entry.get("changes") or {}))}


def _window(
    ctx: typer.Context, action: str | None, since: str | None, until: str | None
) -> dict[str, Any]:
    st = state(ctx)
    return {"action": action, "since": st.when(since), "until": st.when(until)}


def _filters(
    ctx: typer.Context,
    entity_type: str | None,
    entity_id: str | None,
    actor: str | None,
) -> dict[str, Any]:
    require(not entity_id or bool(entity_type), "--entity-id needs --entity-type")
    st = state(ctx)
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "actor_id": user_id(st.client, actor) if actor else None,
    }


def _entries(
    ctx: typer.Context,
    path: str,
    params: dict[str, Any],
    *,
    all_pages: bool,
    as_json: bool,
    title: str,
) -> None:
    items = fetch_items(ctx, path, params, all_pages=all_pages, label="audit entries")
    if as_json:
        state(ctx).out.json(items)
        return
    rows = [_changed(item) for item in items]
    state(ctx).out.table(rows, COLUMNS, title=title, empty="no audit entries match")


@app.command(epilog=TIME_EPILOG)
def query(
    ctx: typer.Context,
    *,
    entity_type: EntityTypeOpt = None,
    entity_id: EntityIdOpt = None,
    actor: ActorOpt = None,
    action: ActionOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Audit entries, newest first; filters combine with AND (admins)."""
    params = {
        **_filters(ctx, entity_type, entity_id, actor),
        **_window(ctx, action, since, until),
        "limit": limit,
        "cursor": cursor,
    }
    _entries(ctx, "audit/logs", params, all_pages=all_pages, as_json=as_json, title="Audit log")


@app.command()
def show(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(help="The entry's id.")],
    as_json: JsonOpt = False,
) -> None:
    """One entry with its changes (field -> before/after; secrets redacted) (admins)."""
    st = state(ctx)
    st.show(st.client.get(f"audit/logs/{path_part(entry_id)}"), as_json, DETAIL_COLUMNS)


@app.command(epilog=TIME_EPILOG)
def entity(
    ctx: typer.Context,
    entity_type: Annotated[str, typer.Argument(help="e.g. reservation, resource, user.")],
    entity_id: Annotated[str, typer.Argument(help="The entity's id.")],
    *,
    action: ActionOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The history of one entity (admins)."""
    path = f"audit/entity/{path_part(entity_type)}/{path_part(entity_id)}"
    params = {**_window(ctx, action, since, until), "limit": limit, "cursor": cursor}
    title = f"History of {entity_type} {entity_id}"
    _entries(ctx, path, params, all_pages=all_pages, as_json=as_json, title=title)


@app.command(epilog=TIME_EPILOG)
def user(
    ctx: typer.Context,
    who: Annotated[str, typer.Argument(help="User id, or username.")],
    *,
    action: ActionOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """What one user did (admins)."""
    path = f"audit/user/{path_part(user_id(state(ctx).client, who))}/activity"
    params = {**_window(ctx, action, since, until), "limit": limit, "cursor": cursor}
    _entries(ctx, path, params, all_pages=all_pages, as_json=as_json, title=f"Activity of {who}")


@app.command("my-activity", epilog=TIME_EPILOG)
def my_activity(
    ctx: typer.Context,
    *,
    action: ActionOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """What I did."""
    params = {**_window(ctx, action, since, until), "limit": limit, "cursor": cursor}
    _entries(
        ctx, "audit/my-activity", params, all_pages=all_pages, as_json=as_json, title="My activity"
    )


@app.command(epilog=TIME_EPILOG)
def export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write: FILE.csv or FILE.json.")],
    *,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv or json (default: from the file's suffix, else csv)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    entity_type: EntityTypeOpt = None,
    entity_id: EntityIdOpt = None,
    actor: ActorOpt = None,
    action: ActionOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Save the matching entries (at most 10,000) to a file, with a progress bar (admins)."""
    kind = (fmt or file.suffix.lstrip(".") or "csv").lower()
    require(kind in ("csv", "json"), f"--format must be csv or json (got {kind!r})")
    require(force or not file.exists(), f"{file} exists: use --force to overwrite it")
    st = state(ctx)
    params = {**_filters(ctx, entity_type, entity_id, actor), **_window(ctx, action, since, until)}
    size = download(st.client, st.out, f"audit/export/{kind}", params, file)
    entries = _count(file, kind)
    summary = {"file": str(file), "format": kind, "bytes": size, "entries": entries}
    if as_json:
        st.out.json(summary)
    else:
        noun = "entry" if entries == 1 else "entries"
        st.out.success(f"Wrote {entries} audit {noun} to {file} ({size} bytes).")
    if entries >= EXPORT_MAX_ROWS:
        st.out.notice(
            f"An export stops at {EXPORT_MAX_ROWS:,} entries: narrow it with --since/--until."
        )


def _count(file: Path, kind: str) -> int:
    with file.open(encoding="utf-8", newline="") as handle:
        if kind == "json":
            return len(json.load(handle))
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
