"""`rr searches`: saved resource searches (yours only), and suggestions as you type."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, YesOpt, state
from cli.listing import done, items_of
from cli.lookup import path_part
from cli.output import Column

app = typer.Typer(help="Saved resource searches (only yours) and search suggestions.")

PATH = "search/saved"
COLUMNS = [
    Column("search_id", "id"),
    Column("name", "name"),
    Column("filters", "filters"),
    Column("created_at", "saved", "time"),
]
RESOURCE_COLUMNS = [
    Column("resource_id", "id"),
    Column("name", "name"),
    Column("status", "status"),
    Column("capacity", "capacity"),
]


@app.command("list")
def list_searches(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Your saved searches."""
    st = state(ctx)
    st.show_list(items_of(st.client.get(PATH)), as_json, COLUMNS, empty="no saved searches")


@app.command()
def save(
    ctx: typer.Context,
    name: str,
    *,
    q: Annotated[str | None, typer.Option("--q", help="Text in name or description.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Repeatable; all.")] = None,
    group: Annotated[str | None, typer.Option("--group", help="A group id (subtree).")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Label id; repeat.")] = None,
    any_label: Annotated[bool, typer.Option("--any-label", help="Any label, not all.")] = False,
    capacity_min: Annotated[int | None, typer.Option("--capacity-min")] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Save a set of resource-list filters under a name."""
    st = state(ctx)
    filters: dict[str, Any] = {
        "q": q,
        "tags": tag,
        "group": group,
        "labels": label,
        "capacity_min": capacity_min,
        "status": status,
    }
    if any_label:
        filters["label_match"] = "any"
    body = {"name": name, "filters": {k: v for k, v in filters.items() if v}}
    answer = st.client.post(PATH, json=body)
    done(ctx, answer, as_json, f"Saved search {answer['name']} ({answer['search_id']}).")


@app.command()
def run(ctx: typer.Context, search_id: str, as_json: JsonOpt = False) -> None:
    """Run a saved search (first page)."""
    st = state(ctx)
    answer = st.client.post(f"{PATH}/{path_part(search_id)}/execute", params={"limit": 100})
    st.show_list(items_of(answer), as_json, RESOURCE_COLUMNS, empty="nothing matches")


@app.command()
def delete(
    ctx: typer.Context, search_id: str, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Delete one of your saved searches."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Delete saved search {search_id}?", abort=True)
    answer = st.client.delete(f"{PATH}/{path_part(search_id)}")
    done(ctx, answer, as_json, f"Saved search {answer['name']} deleted.")


@app.command()
def suggest(
    ctx: typer.Context,
    text: str,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10, help="Per kind.")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Suggestions for TEXT: resource names, tags, labels, groups."""
    st = state(ctx)
    answer = st.client.get("search/suggestions", params={"q": text, "limit": limit})
    columns = [Column("kind", "kind"), Column("text", "text"), Column("id", "id")]
    st.show_list(items_of(answer), as_json, columns, empty="no suggestions")
