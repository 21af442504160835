"""`rr resources`: find, inspect and (admins) manage bookable resources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.client import ApiError
from cli.context import (
    TIME_EPILOG,
    AllOpt,
    CursorOpt,
    JsonOpt,
    LimitOpt,
    TzOpt,
    YesOpt,
    require,
    state,
    time_option_help,
)
from cli.lookup import find_resource, resource_id
from cli.output import Column
from cli.resource_options import (
    ApprovalOpt,
    ApproverOpt,
    BufferAfterOpt,
    BufferBeforeOpt,
    BuildingOpt,
    CapacityMinOpt,
    CapacityOpt,
    DescOpt,
    DescriptionOpt,
    EnabledOpt,
    FloorOpt,
    HorizonOpt,
    MaxDurationOpt,
    MinDurationOpt,
    NoticeOpt,
    QOpt,
    RoomOpt,
    SortOpt,
    StatusOpt,
    TagOpt,
    TagsOpt,
    ZoneOpt,
    draft,
    filters,
    policy,
)

app = typer.Typer(help="Find, inspect and (admins) manage bookable resources.")

ResourceArg = Annotated[str, typer.Argument(help="Resource id, or its exact name.")]

LIST_COLUMNS = [
    Column("resource_id", "id"),
    Column("name", "name"),
    Column("status", "status", styled=True),
    Column("capacity", "cap."),
    Column("tags", "tags", "list"),
    Column("location.building", "building"),
    Column("location.floor", "floor"),
    Column("location.room", "room"),
]
DETAIL_COLUMNS = [
    Column("resource_id", "id"),
    Column("name", "name"),
    Column("description", "description"),
    Column("status", "status", styled=True),
    Column("maintenance.reason", "maintenance"),
    Column("maintenance.auto_reset_at", "maintenance ends", "time"),
    Column("enabled", "enabled", "bool"),
    Column("capacity", "capacity"),
    Column("tags", "tags", "list"),
    Column("location.building", "building"),
    Column("location.floor", "floor"),
    Column("location.room", "room"),
    Column("timezone", "time zone"),
    Column("requires_approval", "needs approval", "bool"),
    Column("approvers", "approvers", "list"),
    Column("min_duration_minutes", "min duration (min)"),
    Column("max_duration_minutes", "max duration (min)"),
    Column("buffer_before_minutes", "buffer before (min)"),
    Column("buffer_after_minutes", "buffer after (min)"),
    Column("booking_horizon_days", "horizon (days)"),
    Column("min_notice_minutes", "min notice (min)"),
    Column("has_own_business_hours", "own business hours", "bool"),
    Column("version", "version"),
    Column("created_at", "created", "time"),
    Column("updated_at", "updated", "time"),
]


def _list(
    ctx: typer.Context, path: str, params: dict[str, Any], *, all_pages: bool, as_json: bool
) -> None:
    st = state(ctx)
    with st.out.pages("resources") as progress:
        items = list(st.client.paginate(path, params, all_pages=all_pages, on_page=progress))
    st.show_list(items, as_json, LIST_COLUMNS, title="Resources", empty="no resources match")


@app.command("list")
def list_resources(
    ctx: typer.Context,
    *,
    q: QOpt = None,
    tag: TagOpt = None,
    building: BuildingOpt = None,
    floor: FloorOpt = None,
    capacity_min: CapacityMinOpt = None,
    status: StatusOpt = None,
    enabled: EnabledOpt = None,
    sort: SortOpt = "name",
    desc: DescOpt = False,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List resources (one page, or every page with --all)."""
    params = filters(
        q=q,
        tags=tag or None,
        building=building,
        floor=floor,
        capacity_min=capacity_min,
        status=status,
        enabled=enabled,
        sort=sort,
        order="desc" if desc else "asc",
        limit=limit,
        cursor=cursor,
    )
    _list(ctx, "resources", params, all_pages=all_pages, as_json=as_json)


@app.command(epilog=TIME_EPILOG)
def search(
    ctx: typer.Context,
    *,
    q: QOpt = None,
    tag: TagOpt = None,
    building: BuildingOpt = None,
    floor: FloorOpt = None,
    capacity_min: CapacityMinOpt = None,
    status: StatusOpt = None,
    free_from: Annotated[
        str | None, typer.Option("--from", help=time_option_help("Free from this time"))
    ] = None,
    free_until: Annotated[
        str | None, typer.Option("--until", help=time_option_help("Free until this time"))
    ] = None,
    tz: TzOpt = None,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Search resources, optionally only those free for a whole time window."""
    st = state(ctx)
    st.use_tz(tz)
    require((free_from is None) == (free_until is None), "give both --from and --until, or none")
    params = filters(
        q=q,
        tags=tag or None,
        building=building,
        floor=floor,
        capacity_min=capacity_min,
        status=status,
        available_from=st.when(free_from),
        available_until=st.when(free_until),
        limit=limit,
        cursor=cursor,
    )
    _list(ctx, "resources/search", params, all_pages=all_pages, as_json=as_json)


@app.command()
def get(ctx: typer.Context, resource: ResourceArg, as_json: JsonOpt = False) -> None:
    """Show one resource."""
    st = state(ctx)
    found = find_resource(st.client, resource)
    st.show(found, as_json, DETAIL_COLUMNS, title=str(found.get("name", "")))


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique name (any case).")],
    *,
    description: DescriptionOpt = None,
    tag: TagsOpt = None,
    capacity: CapacityOpt = None,
    building: BuildingOpt = None,
    floor: FloorOpt = None,
    room: RoomOpt = None,
    timezone: ZoneOpt = None,
    requires_approval: ApprovalOpt = None,
    approver: ApproverOpt = None,
    min_duration: MinDurationOpt = None,
    max_duration: MaxDurationOpt = None,
    buffer_before: BufferBeforeOpt = None,
    buffer_after: BufferAfterOpt = None,
    horizon_days: HorizonOpt = None,
    min_notice: NoticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a resource (admins)."""
    st = state(ctx)
    body = draft(
        {
            "name": name,
            "description": description,
            "tags": tag,
            "capacity": capacity,
            "building": building,
            "floor": floor,
            "room": room,
            "timezone": timezone,
            "requires_approval": requires_approval,
            "approvers": approver,
            **policy(
                min_duration=min_duration,
                max_duration=max_duration,
                buffer_before=buffer_before,
                buffer_after=buffer_after,
                horizon_days=horizon_days,
                min_notice=min_notice,
            ),
        }
    )
    created = st.client.post("resources", json=body)
    if as_json:
        st.out.json(created)
        return
    st.out.success(f"Created {created.get('name')} ({created.get('resource_id')}).")


@app.command()
def update(
    ctx: typer.Context,
    resource: ResourceArg,
    *,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    description: DescriptionOpt = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Replace the tags (repeatable).")
    ] = None,
    capacity: CapacityOpt = None,
    building: BuildingOpt = None,
    floor: FloorOpt = None,
    room: RoomOpt = None,
    timezone: ZoneOpt = None,
    clear_tags: Annotated[bool, typer.Option("--clear-tags", help="Remove every tag.")] = False,
    requires_approval: ApprovalOpt = None,
    approver: ApproverOpt = None,
    min_duration: MinDurationOpt = None,
    max_duration: MaxDurationOpt = None,
    buffer_before: BufferBeforeOpt = None,
    buffer_after: BufferAfterOpt = None,
    horizon_days: HorizonOpt = None,
    min_notice: NoticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change some fields of a resource (admins); refused if someone changed it meanwhile."""
    st = state(ctx)
    current = find_resource(st.client, resource)
    rid = str(current["resource_id"])
    changes = draft(
        {
            "name": name,
            "description": description,
            "tags": [] if clear_tags else tag,
            "capacity": capacity,
            "building": building,
            "floor": floor,
            "room": room,
            "timezone": timezone,
            "requires_approval": requires_approval,
            "approvers": approver,
            **policy(
                min_duration=min_duration,
                max_duration=max_duration,
                buffer_before=buffer_before,
                buffer_after=buffer_after,
                horizon_days=horizon_days,
                min_notice=min_notice,
            ),
        }
    )
    require(not (clear_tags and tag), "give --tag or --clear-tags, not both")
    require(bool(changes), "nothing to change: give at least one option (see --help)")
    # The version read above makes the write conditional: a concurrent edit -> 409.
    updated = st.client.patch(
        f"resources/{rid}", json={**changes, "version": current.get("version")}
    )
    st.show(updated, as_json, DETAIL_COLUMNS, title="Updated")


@app.command()
def delete(
    ctx: typer.Context,
    resource: ResourceArg,
    force: Annotated[
        bool, typer.Option("--force", help="Also cancel its future reservations.")
    ] = False,
    yes: YesOpt = False,
) -> None:
    """Delete a resource (admins). Refused while it has future reservations, unless --force."""
    st = state(ctx)
    rid = resource_id(st.client, resource)
    if not yes:
        extra = " and cancel its future reservations" if force else ""
        typer.confirm(f"Delete resource {resource}{extra}?", abort=True)
    answer = st.client.delete(f"resources/{rid}", params={"force": True} if force else None)
    cancelled = answer.get("cancelled_reservations", 0) if isinstance(answer, dict) else 0
    extra = f"; {cancelled} future reservation(s) cancelled" if cancelled else ""
    st.out.success(f"Deleted {resource}{extra}.")


@app.command()
def upload(
    ctx: typer.Context,
    csv_file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with a header row: name,description,tags,capacity,...",
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Import resources from CSV (admins): all rows or none; row errors are listed."""
    st = state(ctx)
    content = csv_file.read_bytes()
    try:
        with st.out.working(f"uploading {csv_file.name} ({len(content)} bytes)"):
            answer = st.client.post(
                "resources/upload", content=content, headers={"Content-Type": "text/csv"}
            )
    except ApiError as exc:
        rows = _row_errors(exc.details)
        if not rows:
            raise
        if as_json:
            st.out.json(
                {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
            )
        else:
            st.out.error(f"error: {exc.message} [{exc.code}, HTTP {exc.status}]")
            st.out.table(
                rows,
                [
                    Column("row", "row"),
                    Column("line", "line"),
                    Column("field", "field"),
                    Column("message", "problem"),
                ],
                title="Rows with problems",
            )
        raise typer.Exit(1) from None
    if as_json:
        st.out.json(answer)
        return
    st.out.success(f"Imported {answer.get('imported', 0)} resource(s) from {csv_file.name}.")


def _row_errors(details: Any) -> list[dict[str, Any]]:
    if isinstance(details, dict):
        details = details.get("errors") or details.get("rows")
    if isinstance(details, list):
        return [d for d in details if isinstance(d, dict) and "row" in d]
    return []
