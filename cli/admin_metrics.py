"""`rr admin metrics`: the counters of the last N minutes and the queues (admins only).

The API's `GET /admin/metrics/summary`; the same counters CloudWatch gets as EMF metrics
(docs/observability.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, state
from cli.output import Column

SUMMARY_COLUMNS = [
    Column("first_minute", "from", "time"),
    Column("last_minute", "to (incl.)", "time"),
    Column("requests", "requests"),
    Column("bookings", "bookings"),
    Column("conflicts", "booking conflicts"),
    Column("denials", "denials"),
    Column("denials_by_rule", "denials by rule"),
    Column("offers", "waitlist offers"),
    Column("approvals_by_decision", "approval decisions"),
    Column("webhook_deliveries_by_outcome", "webhook attempts"),
    Column("dead_letters", "dead letters"),
]
QUEUE_COLUMNS = [
    Column("queue", "queue"),
    Column("depth", "waiting"),
    Column("in_flight", "in flight"),
    Column("dead_letters", "dead letters"),
]


def metrics(
    ctx: typer.Context,
    minutes: Annotated[
        int, typer.Option("--minutes", "-m", min=1, max=1440, help="The window, in minutes.")
    ] = 60,
    as_json: JsonOpt = False,
) -> None:
    """Requests, bookings, conflicts, denials by rule, offers, approvals, webhook attempts,
    and each worker queue's depth and dead letters, over the last N minutes."""
    st = state(ctx)
    answer: dict[str, Any] = st.client.get("admin/metrics/summary", params={"minutes": minutes})
    if as_json:
        st.out.json(answer)
        return
    st.out.record(answer, SUMMARY_COLUMNS, title=f"The last {answer['window_minutes']} minute(s)")
    st.out.table(answer.get("queues") or [], QUEUE_COLUMNS, title="Worker queues")
