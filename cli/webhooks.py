"""`rr webhooks`: my webhook subscriptions (create, list, show, update, delete, rotate the
secret, send a test ping) and the event names they can subscribe to.

The delivery log lives in cli/webhook_deliveries.py, the admins' allow-list in
cli/webhook_allowlist.py; both are attached to this group by `register`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import AllOpt, CursorOpt, JsonOpt, LimitOpt, YesOpt, require, state
from cli.listing import done, fetch_items
from cli.lookup import path_part
from cli.output import Column

app = typer.Typer(help="Webhooks: POST signed events to your URL; deliveries, tests, secrets.")

WebhookArg = Annotated[str, typer.Argument(help="The webhook's id.")]
EventOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--event",
        "-e",
        help="An event name to subscribe to (repeatable), or '*' for all; "
        "see `rr webhooks events`.",
        show_default=False,
    ),
]
DescriptionOpt = Annotated[
    str | None, typer.Option("--description", help="What the webhook is for.", show_default=False)
]

LIST_COLUMNS = [
    Column("webhook_id", "id"),
    Column("url", "URL"),
    Column("events", "events", "list"),
    Column("active", "active", "bool"),
    Column("description", "description"),
]
DETAIL_COLUMNS = [
    *LIST_COLUMNS,
    Column("created_at", "created", "time"),
    Column("updated_at", "updated", "time"),
]
SECRET_COLUMNS = [*DETAIL_COLUMNS[:3], Column("secret", "signing secret")]


def hook_path(webhook_id: str, *rest: str) -> str:
    return "/".join(["webhooks", path_part(webhook_id), *rest])


def _show_secret(ctx: typer.Context, answer: dict[str, Any], as_json: bool, title: str) -> None:
    st = state(ctx)
    if as_json:
        st.out.json(answer)
        return
    st.out.record(answer, SECRET_COLUMNS, title=title)
    st.out.notice("The signing secret is shown only now: store it safely.")


@app.command()
def events(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The event names a webhook can subscribe to."""
    st = state(ctx)
    answer = st.client.get("webhooks/events", auth=False)
    columns = [
        Column("name", "event"),
        Column("description", "description"),
        Column("reserved", "reserved", "bool"),
    ]
    st.show_list(answer, as_json, columns, title="Webhook events")


@app.command()
def create(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="https:// endpoint that receives the POSTs.")],
    *,
    event: EventOpt = None,
    description: DescriptionOpt = None,
    inactive: Annotated[
        bool, typer.Option("--inactive", help="Create it paused (no deliveries).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Subscribe a URL to events; its signing secret is shown once."""
    require(bool(event), "give at least one --event (or --event '*' for all)")
    st = state(ctx)
    body = {"url": url, "events": event, "description": description or "", "active": not inactive}
    answer = st.client.post("webhooks", json=body)
    _show_secret(ctx, answer, as_json, "Webhook created")


@app.command("list")
def list_webhooks(
    ctx: typer.Context,
    *,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """My webhooks."""
    params = {"limit": limit, "cursor": cursor}
    items = fetch_items(ctx, "webhooks", params, all_pages=all_pages, label="webhooks")
    state(ctx).show_list(items, as_json, LIST_COLUMNS, title="Webhooks", empty="no webhooks")


@app.command()
def show(ctx: typer.Context, webhook_id: WebhookArg, as_json: JsonOpt = False) -> None:
    """One webhook (never its secret)."""
    st = state(ctx)
    st.show(st.client.get(hook_path(webhook_id)), as_json, DETAIL_COLUMNS)


@app.command()
def update(
    ctx: typer.Context,
    webhook_id: WebhookArg,
    *,
    url: Annotated[str | None, typer.Option("--url", help="New endpoint.")] = None,
    event: EventOpt = None,
    description: DescriptionOpt = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Resume or pause deliveries.", show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change URL, events (the new list replaces the old), description, or pause/resume."""
    changes = {"url": url, "events": event, "description": description, "active": active}
    body = {key: value for key, value in changes.items() if value is not None}
    require(bool(body), "nothing to change: give --url, --event, --description or --active")
    st = state(ctx)
    answer = st.client.patch(hook_path(webhook_id), json=body)
    st.show(answer, as_json, DETAIL_COLUMNS, title="Webhook updated")


@app.command()
def delete(
    ctx: typer.Context, webhook_id: WebhookArg, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Delete a webhook (no more deliveries; its log goes with it)."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Delete webhook {webhook_id}?", abort=True)
    st.client.delete(hook_path(webhook_id))
    answer = {"webhook_id": webhook_id, "deleted": True}
    done(ctx, answer, as_json, f"Webhook {webhook_id} deleted.")


@app.command("rotate-secret")
def rotate_secret(ctx: typer.Context, webhook_id: WebhookArg, as_json: JsonOpt = False) -> None:
    """A new signing secret, shown once (the old one stops signing at once)."""
    answer = state(ctx).client.post(hook_path(webhook_id, "rotate-secret"), json={})
    _show_secret(ctx, answer, as_json, "Secret rotated")


@app.command()
def test(ctx: typer.Context, webhook_id: WebhookArg, as_json: JsonOpt = False) -> None:
    """Queue a signed `webhook.ping` to the URL; see it in `rr webhooks deliveries`."""
    answer = state(ctx).client.post(hook_path(webhook_id, "test"), json={})
    done(
        ctx,
        answer,
        as_json,
        f"Test ping queued as delivery {answer.get('delivery_id')}: "
        f"`rr webhooks delivery {webhook_id} {answer.get('delivery_id')}` shows how it went.",
    )
