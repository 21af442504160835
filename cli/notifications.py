"""`rr notifications`: my notification centre (list, mark one or all read)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import CursorOpt, JsonOpt, LimitOpt, state
from cli.listing import done
from cli.lookup import path_part
from cli.output import Column

app = typer.Typer(help="Your notifications: list them, mark them read.")

COLUMNS = [
    Column("notification_id", "id"),
    Column("created_at", "when", "time"),
    Column("read", "read", "bool"),
    Column("kind", "kind"),
    Column("title", "title"),
    Column("body", "message"),
]


@app.command("list")
def list_notifications(
    ctx: typer.Context,
    *,
    unread: Annotated[bool, typer.Option("--unread", help="Only those not read yet.")] = False,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Newest first, with how many are unread in all (one page; `--cursor` for the next)."""
    st = state(ctx)
    page = st.client.get(
        "notifications", params={"unread_only": unread, "limit": limit, "cursor": cursor}
    )
    if as_json:
        st.out.json(page)
        return
    unread_count = page.get("unread_count", 0)
    st.out.table(
        page.get("items", []),
        COLUMNS,
        title=f"Notifications ({unread_count} unread)",
        empty="no notifications" + (" unread" if unread else ""),
    )
    if page.get("next_cursor"):
        st.out.notice(f"more: --cursor {page['next_cursor']}")


@app.command("read")
def read(
    ctx: typer.Context,
    notification_id: Annotated[str, typer.Argument(help="The notification's id.")],
    as_json: JsonOpt = False,
) -> None:
    """Mark one notification read (reading it twice is fine)."""
    st = state(ctx)
    answer = st.client.post(f"notifications/{path_part(notification_id)}/read", json={})
    done(ctx, answer, as_json, f"Notification {notification_id} marked read.")


@app.command("read-all")
def read_all(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Mark every notification read."""
    st = state(ctx)
    answer = st.client.post("notifications/read-all", json={})
    done(ctx, answer, as_json, f"{answer.get('marked', 0)} notification(s) marked read.")
