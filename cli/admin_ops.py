"""`rr admin jobs` and `rr admin dead-letters`: the scheduled jobs (list, run one now) and
the messages the workers gave up on (inspect, send back for another try). Admins only."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.client import CliError
from cli.context import JsonOpt, state
from cli.listing import done
from cli.lookup import path_part
from cli.output import Column

jobs_app = typer.Typer(help="Scheduled jobs: list them, run one now (admins only).")
dead_letters_app = typer.Typer(
    help="Messages the workers gave up on: inspect them, redrive them (admins only)."
)

JOB_COLUMNS = [
    Column("name", "job"),
    Column("rate_minutes", "every (min)"),
    Column("description", "what it does"),
]
QUEUE_COLUMNS = [
    Column("queue", "queue"),
    Column("dlq", "dead-letter queue"),
    Column("approximate_count", "messages"),
]
MESSAGE_COLUMNS = [
    Column("message_id", "message id"),
    Column("receive_count", "tries"),
    Column("event_name", "event"),
    Column("event_id", "event id"),
    Column("reason", "why it failed"),
    Column("body_excerpt", "body (excerpt)"),
]


@jobs_app.command("list")
def jobs_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The scheduled jobs and how often they run."""
    st = state(ctx)
    st.show_list(st.client.get("admin/jobs"), as_json, JOB_COLUMNS, title="Scheduled jobs")


@jobs_app.command("run")
def jobs_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The job's name (see `rr admin jobs list`).")],
    as_json: JsonOpt = False,
) -> None:
    """Run a job now and show what it did."""
    st = state(ctx)
    with st.out.working(f"running {name}..."):
        answer = st.client.post(f"admin/jobs/{path_part(name)}/run", json={})
    if as_json:
        st.out.json(answer)
        return
    results = answer.get("result") or {}
    outcome = ", ".join(f"{key} {value}" for key, value in results.items()) or "nothing to do"
    st.out.record(
        {**answer, "outcome": outcome},
        [
            Column("name", "job"),
            Column("started_at", "started", "time"),
            Column("finished_at", "finished", "time"),
            Column("outcome", "result"),
        ],
    )


def _queues(ctx: typer.Context) -> list[dict[str, Any]]:
    answer = state(ctx).client.get("admin/dead-letters")
    return list(answer or [])


@dead_letters_app.command("list")
def dead_letters_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Each worker queue with how many dead letters wait in its DLQ."""
    st = state(ctx)
    st.show_list(_queues(ctx), as_json, QUEUE_COLUMNS, title="Dead letters")


@dead_letters_app.command("show")
def dead_letters_show(
    ctx: typer.Context,
    queue: Annotated[
        str, typer.Argument(help="The worker queue (see `rr admin dead-letters list`).")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Inspect a queue's dead letters (up to 10, oldest first): event, tries, why."""
    st = state(ctx)
    found = next((q for q in _queues(ctx) if queue in (q.get("queue"), q.get("dlq"))), None)
    if found is None:
        names = ", ".join(str(q.get("queue")) for q in _queues(ctx))
        raise CliError(f"no worker queue named {queue!r} (queues: {names})")
    if as_json:
        st.out.json(found)
        return
    st.out.table(
        found.get("messages") or [],
        MESSAGE_COLUMNS,
        title=f"{found['dlq']}: about {found.get('approximate_count', 0)} message(s)",
        empty=f"no dead letters in {found['dlq']}",
    )


@dead_letters_app.command("redrive")
def dead_letters_redrive(
    ctx: typer.Context,
    queue: Annotated[str, typer.Argument(help="The worker queue whose dead letters to retry.")],
    *,
    max_messages: Annotated[
        int, typer.Option("--max", min=1, max=1000, help="Move at most this many.")
    ] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Move a queue's dead letters back to it for another try."""
    st = state(ctx)
    path = f"admin/dead-letters/{path_part(queue)}/redrive"
    answer = st.client.post(path, json={"max_messages": max_messages})
    done(ctx, answer, as_json, f"{answer.get('moved', 0)} message(s) moved back to {queue}.")
