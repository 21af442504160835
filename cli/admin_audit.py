"""`rr admin audit stats|filters`: audit statistics over UTC days and the filter values seen
(admins; docs/audit-statistics.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, state
from cli.output import Column

app = typer.Typer(help="Audit statistics and filter values (admins).")

COUNT_COLUMNS = [Column("value", "value"), Column("count", "entries")]
SEEN_COLUMNS = [*COUNT_COLUMNS, Column("last_at", "newest", "time")]
_DIMENSIONS = (
    ("by_action", "By action"),
    ("by_actor", "By actor"),
    ("by_entity_type", "By entity type"),
    ("by_day", "By day"),
)


@app.command()
def stats(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--from", help="First UTC day, YYYY-MM-DD (default: 29 days before --to)."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Last UTC day, YYYY-MM-DD (default: today).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Audit entries counted by action, actor, entity type and day (at most 92 days)."""
    st = state(ctx)
    answer: dict[str, Any] = st.client.get("audit/statistics", params={"from": since, "to": until})
    if as_json:
        st.out.json(answer)
        return
    title = f"{answer['total']} audit entries, {answer['from']} to {answer['to']}"
    st.out.success(title)
    for key, heading in _DIMENSIONS:
        st.out.table(answer.get(key) or [], COUNT_COLUMNS, title=heading, empty=f"{heading}: none")
    if not answer.get("complete", True):
        st.out.notice("Some counters were not read (a very busy range): narrow --from/--to.")


@app.command()
def filters(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The actions, entity types and actors seen in the audit log."""
    st = state(ctx)
    answer: dict[str, Any] = st.client.get("audit/filters")
    if as_json:
        st.out.json(answer)
        return
    for key, heading in (
        ("actions", "Actions"),
        ("entity_types", "Entity types"),
        ("actors", "Actors"),
    ):
        st.out.table(answer.get(key) or [], SEEN_COLUMNS, title=heading, empty=f"{heading}: none")
