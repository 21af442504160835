"""`rr webhooks deliveries / delivery / redeliver`: a webhook's delivery log, newest first,
each delivery's attempts (status, latency, response excerpt) and its exact payload."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from cli.context import AllOpt, CursorOpt, JsonOpt, LimitOpt, state
from cli.listing import done, fetch_items
from cli.output import Column
from cli.webhooks import WebhookArg, hook_path

DeliveryArg = Annotated[str, typer.Argument(help="The delivery's id.")]

COLUMNS = [
    Column("delivery_id", "id"),
    Column("created_at", "created", "time"),
    Column("event_name", "event"),
    Column("status", "status", styled=True),
    Column("tries", "tries"),
    Column("last_code", "last HTTP"),
    Column("next_attempt_at", "next try", "time"),
    Column("redelivery_of", "redelivery of"),
]
ATTEMPT_COLUMNS = [
    Column("number", "#"),
    Column("at", "at", "time"),
    Column("status_code", "HTTP"),
    Column("latency_ms", "ms"),
    Column("ok", "ok", "bool"),
    Column("error", "error"),
    Column("response_excerpt", "response"),
]


def _summary(delivery: dict[str, Any]) -> dict[str, Any]:
    """The attempts folded into two columns: how many, and the last HTTP status."""
    attempts = delivery.get("attempts") or []
    last = attempts[-1] if attempts else {}
    return {**delivery, "tries": len(attempts), "last_code": last.get("status_code")}


def deliveries(
    ctx: typer.Context,
    webhook_id: WebhookArg,
    *,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """A webhook's delivery log, newest first."""
    path = hook_path(webhook_id, "deliveries")
    params = {"limit": limit, "cursor": cursor}
    items = fetch_items(ctx, path, params, all_pages=all_pages, label="deliveries")
    if as_json:
        state(ctx).out.json(items)
        return
    state(ctx).out.table(
        [_summary(item) for item in items],
        COLUMNS,
        title=f"Deliveries of {webhook_id}",
        empty="no deliveries yet",
    )


def delivery(
    ctx: typer.Context, webhook_id: WebhookArg, delivery_id: DeliveryArg, as_json: JsonOpt = False
) -> None:
    """One delivery: its attempts and the exact payload that was signed."""
    st = state(ctx)
    answer = st.client.get(hook_path(webhook_id, "deliveries", delivery_id))
    if as_json:
        st.out.json(answer)
        return
    st.out.record(_summary(answer), [*COLUMNS[:1], Column("event_id", "event id"), *COLUMNS[1:]])
    st.out.table(
        answer.get("attempts") or [], ATTEMPT_COLUMNS, title="Attempts", empty="no attempt yet"
    )
    st.out.line("payload:", style="bold")
    st.out.line(_pretty(answer.get("payload")))


def _pretty(payload: Any) -> str:
    try:
        return json.dumps(json.loads(str(payload)), indent=2, ensure_ascii=False)
    except ValueError:
        return str(payload)


def redeliver(
    ctx: typer.Context, webhook_id: WebhookArg, delivery_id: DeliveryArg, as_json: JsonOpt = False
) -> None:
    """Send a delivery's payload again, as a new delivery (the log keeps both)."""
    path = hook_path(webhook_id, "deliveries", delivery_id, "redeliver")
    answer = state(ctx).client.post(path, json={})
    done(ctx, answer, as_json, f"Redelivery queued as delivery {answer.get('delivery_id')}.")


def register(app: typer.Typer) -> None:
    """Attach these commands to `rr webhooks` (called by cli/app.py)."""
    app.command()(deliveries)
    app.command()(delivery)
    app.command()(redeliver)
