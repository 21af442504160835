"""`rr waitlist`: wait for a taken slot, see your place and offers, accept or decline them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import TIME_EPILOG, AllOpt, CursorOpt, JsonOpt, LimitOpt, TzOpt, state
from cli.lookup import path_part, resource_id
from cli.output import Column
from cli.reservations import DurationOpt, EndOpt, NotesOpt, ResourceOpt, StartOpt, window
from cli.timeparse import parse_duration

app = typer.Typer(help="Wait for a taken slot; accept or decline the offers you get.")

EntryArg = Annotated[str, typer.Argument(help="Waitlist entry id.")]

COLUMNS = [
    Column("entry_id", "id"),
    Column("resource_id", "resource"),
    Column("start_time", "from", "time"),
    Column("end_time", "until", "time"),
    Column("status", "status", styled=True),
    Column("position", "place"),
    Column("offer.expires_at", "offer until", "time"),
]
DETAIL_COLUMNS = [
    *COLUMNS,
    Column("duration_minutes", "minutes (flexible)"),
    Column("auto_book", "auto-book"),
    Column("offer.start_time", "offered from", "time"),
    Column("offer.end_time", "offered until", "time"),
    Column("offer.reservation_id", "held reservation"),
    Column("reservation_id", "booking"),
    Column("reason", "reason"),
    Column("notes", "notes"),
]


@app.command(epilog=TIME_EPILOG)
def join(
    ctx: typer.Context,
    resource: ResourceOpt,
    start: StartOpt,
    end: EndOpt = None,
    duration: DurationOpt = None,
    *,
    flexible: Annotated[
        str | None,
        typer.Option(
            "--flexible",
            help="Any window this long (30m, 1h) between --start and --end will do.",
        ),
    ] = None,
    within_hours: Annotated[
        bool, typer.Option("--within-hours", help="Flexible: only inside opening hours.")
    ] = False,
    auto_book: Annotated[
        bool, typer.Option("--auto-book", help="Book the freed slot at once, no offer.")
    ] = False,
    notes: NotesOpt = None,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Wait for a taken slot (exact), or for any slot of a length in a range (--flexible)."""
    st = state(ctx)
    st.use_tz(tz)
    begin, finish = window(st, start, end, duration)
    body: dict[str, Any] = {
        "resource_id": resource_id(st.client, resource),
        "start_time": begin,
        "end_time": finish,
        "within_hours": within_hours,
        "auto_book": auto_book,
    }
    if flexible:
        body["duration_minutes"] = int(parse_duration(flexible).total_seconds() // 60)
    if notes:
        body["notes"] = notes
    created = st.client.post("waitlist", json=body)
    if as_json:
        st.out.json(created)
        return
    st.out.record(created, DETAIL_COLUMNS, title="On the waitlist")
    st.out.notice(f"You are number {created.get('position')} in line; you will be told of offers.")


@app.command("list")
def list_entries(
    ctx: typer.Context,
    *,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    tz: TzOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Your waitlist entries, newest first: place in line, open offers and their deadline."""
    st = state(ctx)
    st.use_tz(tz)
    params: dict[str, Any] = {"limit": limit}
    if cursor:
        params["cursor"] = cursor
    with st.out.pages("entries") as progress:
        items = list(st.client.paginate("waitlist", params, all_pages=all_pages, on_page=progress))
    st.show_list(items, as_json, COLUMNS, title="Waitlist", empty="not waiting for anything")


@app.command()
def show(ctx: typer.Context, entry: EntryArg, tz: TzOpt = None, as_json: JsonOpt = False) -> None:
    """One entry (yours, or any for admins)."""
    st = state(ctx)
    st.use_tz(tz)
    st.show(st.client.get(f"waitlist/{path_part(entry)}"), as_json, DETAIL_COLUMNS, "Entry")


def _act(ctx: typer.Context, method: str, path: str, as_json: bool) -> dict[str, Any]:
    st = state(ctx)
    answer: dict[str, Any] = st.client.request(method, path)
    if as_json:
        st.out.json(answer)
    return answer


@app.command()
def leave(ctx: typer.Context, entry: EntryArg, as_json: JsonOpt = False) -> None:
    """Leave the waitlist (an open offer goes to the next person)."""
    _act(ctx, "DELETE", f"waitlist/{path_part(entry)}", as_json)
    if not as_json:
        state(ctx).out.success(f"Left the waitlist ({entry}).")


@app.command()
def accept(ctx: typer.Context, entry: EntryArg, as_json: JsonOpt = False) -> None:
    """Accept an offer: the held slot becomes your reservation."""
    answer = _act(ctx, "POST", f"waitlist/{path_part(entry)}/accept", as_json)
    if as_json:
        return
    out, reservation = state(ctx).out, answer.get("reservation") or {}
    out.success(f"Booked: reservation {reservation.get('reservation_id')}.")
    if reservation.get("status") == "pending_approval":
        out.notice("This resource needs approval: the slot is held until it is decided.")


@app.command()
def decline(ctx: typer.Context, entry: EntryArg, as_json: JsonOpt = False) -> None:
    """Decline an offer: the slot goes to the next person."""
    _act(ctx, "POST", f"waitlist/{path_part(entry)}/decline", as_json)
    if not as_json:
        state(ctx).out.success(f"Offer declined ({entry}).")
