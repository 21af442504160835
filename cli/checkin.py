"""`rr checkin`: check in to a booking, see its check-in window and link, no-show counts, and
(admins) a resource's check-in setting."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, state
from cli.lookup import path_part, resource_id
from cli.output import Column

app = typer.Typer(
    help="Check in to a booking; a resource may release bookings not checked in in time.",
    no_args_is_help=True,
)

ReservationArg = Annotated[str, typer.Argument(help="Reservation id.")]
ResourceArg = Annotated[str, typer.Argument(help="Resource id or name.")]

STATE_COLUMNS = [
    Column("reservation_id", "reservation"),
    Column("resource_name", "resource"),
    Column("start_time", "start", "time"),
    Column("end_time", "end", "time"),
    Column("status", "status", styled=True),
    Column("required", "check-in required", "bool"),
    Column("opens_at", "window opens", "time"),
    Column("closes_at", "window closes", "time"),
    Column("check_in_url", "check-in link (QR)"),
]
POLICY_COLUMNS = [
    Column("required", "required", "bool"),
    Column("opens_before_minutes", "opens (min before start)"),
    Column("closes_after_minutes", "closes (min after start)"),
    Column("no_show_strikes", "strikes (0 = off)"),
]
COUNT_COLUMNS = [
    Column("resource_id", "resource"),
    Column("user_id", "user"),
    Column("no_shows", "no-shows"),
    Column("last_at", "last", "time"),
]


def _with_url(ctx: typer.Context, answer: dict[str, Any]) -> dict[str, Any]:
    path = answer.get("check_in_path")
    base = state(ctx).api_url.rstrip("/")
    return {**answer, "check_in_url": f"{base}{path}" if path else None}


@app.command("now")
def check_in_now(ctx: typer.Context, reservation: ReservationArg, as_json: JsonOpt = False) -> None:
    """Check in to your booking (inside its check-in window)."""
    st = state(ctx)
    answer = st.client.post(f"reservations/{path_part(reservation)}/check-in")
    if as_json:
        st.out.json(answer)
        return
    st.out.success(f"Checked in to {answer['resource_name']}.")


@app.command("show")
def check_in_show(
    ctx: typer.Context, reservation: ReservationArg, as_json: JsonOpt = False
) -> None:
    """A booking's check-in window, state and link (the link works without signing in)."""
    st = state(ctx)
    answer = _with_url(ctx, st.client.get(f"reservations/{path_part(reservation)}/check-in"))
    st.show(answer, as_json, STATE_COLUMNS, title="Check-in")


@app.command("no-shows")
def no_shows(
    ctx: typer.Context,
    resource: Annotated[
        str | None,
        typer.Option("--resource", "-r", help="A resource's no-shows, per user (admins)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Missed check-ins: yours per resource, or (admins) a resource's per user."""
    st = state(ctx)
    path = (
        f"resources/{resource_id(st.client, resource)}/no-shows"
        if resource
        else "users/me/no-shows"
    )
    answer = st.client.get(path)
    if as_json:
        st.out.json(answer)
        return
    st.out.table(answer["by_resource"], COUNT_COLUMNS, title=f"No-shows: {answer['total']}")


@app.command("policy")
def policy_show(ctx: typer.Context, resource: ResourceArg, as_json: JsonOpt = False) -> None:
    """A resource's check-in setting."""
    st = state(ctx)
    answer = st.client.get(f"resources/{resource_id(st.client, resource)}/check-in")
    st.show(answer, as_json, POLICY_COLUMNS, title=f"Check-in at {resource}")


@app.command("set-policy")
def policy_set(
    ctx: typer.Context,
    resource: ResourceArg,
    *,
    required: Annotated[
        bool,
        typer.Option(
            "--required/--optional",
            help="Require check-in (bookings not checked in in time are released).",
        ),
    ],
    opens_before: Annotated[
        int, typer.Option("--opens-before", help="Minutes before the start the window opens.")
    ] = 15,
    closes_after: Annotated[
        int, typer.Option("--closes-after", help="Minutes after the start the window closes.")
    ] = 15,
    strikes: Annotated[
        int,
        typer.Option(
            "--strikes", help="No-shows after which the rest of a series is cancelled (0: off)."
        ),
    ] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Set a resource's check-in setting (admins)."""
    st = state(ctx)
    body = {
        "required": required,
        "opens_before_minutes": opens_before,
        "closes_after_minutes": closes_after,
        "no_show_strikes": strikes,
    }
    answer = st.client.put(f"resources/{resource_id(st.client, resource)}/check-in", json=body)
    st.show(answer, as_json, POLICY_COLUMNS, title=f"Check-in at {resource}")
