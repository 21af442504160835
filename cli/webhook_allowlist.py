"""`rr webhooks allowlist`: private networks webhooks may reach anyway (admins only).

Webhook URLs that resolve to private, loopback or link-local addresses are refused at send
time (SSRF); an entry here lets one network (or one port of it) through, for ONE webhook
(`--webhook`) or for one user's webhooks (`--owner`), never for everyone's.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import JsonOpt, YesOpt, require, state
from cli.listing import done
from cli.lookup import path_part, user_id
from cli.output import Column

app = typer.Typer(help="Private networks webhooks may reach anyway (admins only).")

PATH = "admin/webhook-allowlist"
COLUMNS = [
    Column("entry_id", "id"),
    Column("network", "network"),
    Column("port", "port"),
    Column("webhook_id", "webhook"),
    Column("owner_id", "owner"),
    Column("note", "note"),
    Column("created_by", "by"),
    Column("created_at", "created", "time"),
]


@app.command("list")
def list_entries(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The allow-list."""
    st = state(ctx)
    st.show_list(st.client.get(PATH), as_json, COLUMNS, empty="the allow-list is empty")


@app.command()
def add(
    ctx: typer.Context,
    network: Annotated[str, typer.Argument(help="An IP or CIDR, e.g. 10.0.0.0/8.")],
    *,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Only this port.")
    ] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="For this webhook only (its id).")
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", help="For this user's webhooks (user id or username)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why it is allowed.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Allow a private network (or one port of it) for one webhook or one user's webhooks."""
    st = state(ctx)
    require((webhook is None) != (owner is None), "give exactly one of --webhook or --owner")
    body = {
        "network": network,
        "port": port,
        "note": note,
        "webhook_id": webhook,
        "owner_id": user_id(st.client, owner) if owner else None,
    }
    answer = st.client.post(PATH, json={k: v for k, v in body.items() if v is not None})
    done(
        ctx, answer, as_json, f"Allowed {answer.get('network')} as entry {answer.get('entry_id')}."
    )


@app.command()
def remove(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(help="The entry's id.")],
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove an entry (webhooks to that network are refused again)."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Remove allow-list entry {entry_id}?", abort=True)
    st.client.delete(f"{PATH}/{path_part(entry_id)}")
    done(ctx, {"entry_id": entry_id, "removed": True}, as_json, f"Entry {entry_id} removed.")
