"""`rr reservations search`: admins search everyone's reservations, users their own
(by user, resource, location subtree, status, time; docs/reservation-search.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import lookup
from cli.context import AllOpt, CursorOpt, JsonOpt, LimitOpt, TzOpt, state, time_option_help
from cli.listing import fetch_items
from cli.output import Column
from cli.reservations import COLUMNS, StatusOpt, with_names

SEARCH_COLUMNS = [*COLUMNS[:1], Column("user_id", "user"), *COLUMNS[1:]]


def search(
    ctx: typer.Context,
    *,
    user: Annotated[
        str | None,
        typer.Option("--user", help="Admins: one user's (id or username); users: only yourself."),
    ] = None,
    resource: Annotated[
        str | None, typer.Option("--resource", "-r", help="One resource (id or name).")
    ] = None,
    group: Annotated[
        str | None,
        typer.Option("--group", help="A location's id: the group and its whole subtree."),
    ] = None,
    status: StatusOpt = None,
    since: Annotated[str | None, typer.Option("--from", help=time_option_help("From"))] = None,
    until: Annotated[str | None, typer.Option("--to", help=time_option_help("Until"))] = None,
    tz: TzOpt = None,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Search reservations: admins everyone's, users their own (every status by default,
    from 30 days ago for a year)."""
    st = state(ctx)
    st.use_tz(tz)
    params = {
        "user_id": lookup.user_id(st.client, user) if user else None,
        "resource_id": lookup.resource_id(st.client, resource) if resource else None,
        "group_id": group,
        "status": status,
        "from": st.when(since),
        "to": st.when(until),
        "limit": limit,
        "cursor": cursor,
    }
    items = fetch_items(
        ctx, "search/reservations", params, all_pages=all_pages, label="reservations"
    )
    rows = items if as_json else with_names(st, items)
    st.show_list(rows, as_json, SEARCH_COLUMNS, title="Reservations found", empty="no reservations")
