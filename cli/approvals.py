"""`rr approvals`: my queue as an approver, my requests, approve / reject, and the chain
of a resource (admins)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import lookup
from cli.context import JsonOpt, require, state
from cli.output import Column

app = typer.Typer(help="Approval requests: decide them, follow yours, set chains (admins).")
BASE = "/api/v1/approvals"
COLUMNS = [
    Column("id", "reservation_id"),
    Column("resource", "resource_id"),
    Column("requester", "requester_id"),
    Column("start", "start_time", "time"),
    Column("end", "end_time", "time"),
    Column("status", "status", styled=True),
    Column("step", "step"),
]
MessageOpt = Annotated[str, typer.Option("--message", "-m", help="Shown to the requester.")]
LimitOpt = Annotated[int, typer.Option(help="At most this many (1-100).")]
ResourceArg = Annotated[str, typer.Argument(help="Resource id or exact name.")]


@app.command()
def pending(ctx: typer.Context, limit: LimitOpt = 20, as_json: JsonOpt = False) -> None:
    """Requests waiting for my decision, oldest first."""
    st = state(ctx)
    answer = st.client.get(f"{BASE}/pending", params={"limit": limit})
    st.show_list(answer["items"], as_json, COLUMNS, title="Waiting for my decision")


@app.command()
def mine(ctx: typer.Context, limit: LimitOpt = 20, as_json: JsonOpt = False) -> None:
    """My requests, open and decided, newest first."""
    st = state(ctx)
    answer = st.client.get(f"{BASE}/my-requests", params={"limit": limit})
    st.show_list(answer["items"], as_json, COLUMNS, title="My approval requests")


RequestArg = Annotated[
    str | None, typer.Argument(help="The request (its reservation id); or use --series.")
]
SeriesOpt = Annotated[
    str | None,
    typer.Option("--series", help="Decide every pending occurrence of this series at once."),
]


def _respond(
    ctx: typer.Context,
    request_id: str | None,
    series_id: str | None,
    decision: str,
    *,
    message: str,
    as_json: bool,
) -> None:
    st = state(ctx)
    body = {"decision": decision, "message": message}
    require((request_id is None) != (series_id is None), "give a request id or --series")
    if series_id is not None:
        # All or nothing for approvals: a 409 lists the occurrences that cannot be approved.
        path = f"{BASE}/series/{lookup.path_part(series_id)}/respond"
        answer = st.client.post(path, json=body)
        if as_json:
            st.out.json(answer)
        else:
            st.show_list(answer["decided"], False, COLUMNS, title=f"Series: {decision}d")
        return
    answer = st.client.post(f"{BASE}/{lookup.path_part(str(request_id))}/respond", json=body)
    st.show(answer, as_json, COLUMNS)


@app.command()
def approve(
    ctx: typer.Context,
    request_id: RequestArg = None,
    series: SeriesOpt = None,
    message: MessageOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Approve the current step of a request (the last step confirms the reservation), or a
    whole series with --series (all or nothing)."""
    _respond(ctx, request_id, series, "approve", message=message, as_json=as_json)


@app.command()
def reject(
    ctx: typer.Context,
    request_id: RequestArg = None,
    series: SeriesOpt = None,
    message: MessageOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Reject a request (ends it at any step), or every pending occurrence with --series."""
    _respond(ctx, request_id, series, "reject", message=message, as_json=as_json)


chain = typer.Typer(help="A resource's approval chain (admins).")
app.add_typer(chain, name="chain")
CHAIN_COLUMNS = [
    Column("resource", "resource_id"),
    Column("requires approval", "requires_approval"),
    Column("steps", "effective_steps"),
    Column("expiry hours", "expiry_hours"),
    Column("remind after hours", "remind_after_hours"),
]


@chain.command("show")
def chain_show(ctx: typer.Context, resource: ResourceArg, as_json: JsonOpt = False) -> None:
    """The chain requests of this resource pass."""
    st = state(ctx)
    rid = lookup.path_part(lookup.resource_id(st.client, resource))
    st.show(st.client.get(f"{BASE}/resources/{rid}/chain"), as_json, CHAIN_COLUMNS)


@chain.command("set")
def chain_set(
    ctx: typer.Context,
    resource: ResourceArg,
    *,
    step: Annotated[
        list[str],
        typer.Option(
            help="One step, in order: comma-separated user ids or usernames and "
            "role:<name> (e.g. --step ada,bob --step role:admin). None: the default chain."
        ),
    ] = [],  # noqa: B006 (typer reads the default, never mutates it)
    expiry_hours: Annotated[int, typer.Option(help="Expire undecided requests (0: never).")] = 72,
    remind_after_hours: Annotated[int, typer.Option(help="Remind approvers (0: never).")] = 24,
    off: Annotated[bool, typer.Option("--off", help="Switch approval off.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace the chain (ordered steps; any one approver of a step decides it)."""
    st = state(ctx)
    steps = []
    for text in step:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        steps.append(
            {
                "users": [lookup.user_id(st.client, p) for p in parts if not p.startswith("role:")],
                "roles": [p[5:] for p in parts if p.startswith("role:")],
            }
        )
    body = {
        "requires_approval": not off,
        "steps": steps,
        "expiry_hours": expiry_hours,
        "remind_after_hours": remind_after_hours,
    }
    rid = lookup.path_part(lookup.resource_id(st.client, resource))
    answer = st.client.put(f"{BASE}/resources/{rid}/chain", json=body)
    st.show(answer, as_json, CHAIN_COLUMNS)
