"""`rr analytics`: booked versus used time (admins see everyone's figures, anyone else their
own): the dashboard, utilisation per resource, tag, building or location, the peak matrix,
popular resources,
and CSV exports to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import JsonOpt, require, state
from cli.download import download
from cli.output import Column

app = typer.Typer(help="Analytics: utilisation, booked versus used, peaks, exports.")

FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from", help="First day, YYYY-MM-DD (UTC; default: 30 days ago).", show_default=False
    ),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to", help="Last day, YYYY-MM-DD (included; default: today).", show_default=False
    ),
]
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

DASHBOARD = [
    Column("scope", "scope"),
    Column("range_from", "from"),
    Column("range_to", "to"),
    Column("reservations", "reservations"),
    Column("booked_hours", "booked hours"),
    Column("checked_in_hours", "checked-in hours"),
    Column("no_show_rate", "no-show rate"),
    Column("released_rebooked_hours", "released and rebooked hours"),
    Column("cancellation_rate", "cancellation rate"),
    Column("avg_lead_hours", "average lead (hours)"),
    Column("utilisation", "utilisation"),
]
ROWS = [
    Column("name", "resource"),
    Column("open_hours", "open h"),
    Column("booked_hours", "booked h"),
    Column("utilisation", "utilisation"),
    Column("checked_in_hours", "checked-in h"),
    Column("reservations", "bookings"),
    Column("no_show_rate", "no-show rate"),
]


def _range(start: str | None, end: str | None, **more: Any) -> dict[str, Any]:
    return {"from": start, "to": end, **more}


@app.command()
def dashboard(
    ctx: typer.Context, start: FromOpt = None, end: ToOpt = None, as_json: JsonOpt = False
) -> None:
    """Headline figures for a date range."""
    st = state(ctx)
    st.show(st.client.get("analytics/dashboard", params=_range(start, end)), as_json, DASHBOARD)


GROUPINGS = ("resource", "tag", "building", "location")
# The leading columns of each grouping's table (the figures follow).
HEADS = {
    "resource": [Column("name", "resource")],
    "tag": [Column("tag", "tag")],
    "building": [Column("building", "building")],
    "location": [Column("name", "location"), Column("location_id", "id")],
}


@app.command()
def utilisation(
    ctx: typer.Context,
    *,
    start: FromOpt = None,
    end: ToOpt = None,
    by: Annotated[
        str, typer.Option("--by", help="One row per resource, tag, building or location.")
    ] = "resource",
    by_tag: Annotated[bool, typer.Option("--by-tag", help="Same as --by tag.")] = False,
    tag: Annotated[str | None, typer.Option("--tag", help="Only this tag.")] = None,
    building: Annotated[str | None, typer.Option("--building", help="Only this building.")] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Only this location (group id) and below.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Booked / open hours per resource, tag, building or location (a location's row covers
    its subtree)."""
    group = "tag" if by_tag else by
    require(group in GROUPINGS, "--by must be one of " + ", ".join(GROUPINGS))
    st = state(ctx)
    params = _range(start, end, group=group, tag=tag, building=building, location=location)
    items = st.client.get("analytics/utilisation", params=params)["items"]
    columns = [*HEADS[group], *ROWS[1:]]
    st.show_list(items, as_json, columns, title="Utilisation", empty="nothing booked")


@app.command()
def peaks(
    ctx: typer.Context,
    start: FromOpt = None,
    end: ToOpt = None,
    tz: Annotated[str, typer.Option("--tz", help="Zone of the hours (IANA).")] = "UTC",
    as_json: JsonOpt = False,
) -> None:
    """Booked hours by weekday and hour (a heat table)."""
    st = state(ctx)
    body = st.client.get("analytics/peaks", params=_range(start, end, tz=tz))
    if as_json:
        st.out.json(body)
        return
    rows = [
        {"day": DAYS[i], **{f"h{h:02d}": v or "" for h, v in enumerate(row)}}
        for i, row in enumerate(body["matrix"])
    ]
    columns = [Column("day", "day"), *[Column(f"h{h:02d}", f"{h:02d}") for h in range(24)]]
    st.out.table(rows, columns, title=f"Booked hours by weekday and hour ({tz})")


@app.command()
def popular(
    ctx: typer.Context,
    start: FromOpt = None,
    end: ToOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="How many (1-100).")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """The most booked resources."""
    st = state(ctx)
    items = st.client.get("analytics/popular", params=_range(start, end, limit=limit))["items"]
    st.show_list(items, as_json, ROWS, title="Popular resources", empty="nothing booked")


@app.command()
def export(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(help="utilisation or reservations.")],
    file: Annotated[Path, typer.Argument(help="Where to write the CSV.")],
    *,
    start: FromOpt = None,
    end: ToOpt = None,
    by: Annotated[
        str, typer.Option("--by", help="utilisation: per resource, tag, building or location.")
    ] = "resource",
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Save utilisation or reservations (yours; admins: everyone's) as CSV."""
    require(what in ("utilisation", "reservations"), "WHAT must be utilisation or reservations")
    require(by in GROUPINGS, "--by must be one of " + ", ".join(GROUPINGS))
    require(force or not file.exists(), f"{file} exists: pass --force to overwrite it")
    st = state(ctx)
    params = _range(start, end, **({"group": by} if what == "utilisation" else {}))
    size = download(st.client, st.out, f"analytics/export/{what}.csv", params, file)
    rows = max(0, len(file.read_text(encoding="utf-8").splitlines()) - 1)
    if as_json:
        st.out.json({"file": str(file), "bytes": size, "rows": rows})
    else:
        st.out.success(f"Wrote {rows} rows to {file} ({size} bytes).")
