"""`rr labels`: `category:value` labels with a colour; merge; a resource's labels."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, YesOpt, state
from cli.listing import done, items_of
from cli.lookup import path_part
from cli.output import Column

app = typer.Typer(help="Labels (category:value, with a colour) and the resources carrying them.")

PATH = "labels"
COLUMNS = [
    Column("label_id", "id"),
    Column("name", "label"),
    Column("color", "colour"),
    Column("description", "description"),
]


@app.command("list")
def list_labels(
    ctx: typer.Context,
    category: Annotated[str, typer.Option("--category")] = "",
    q: Annotated[str, typer.Option("--q", help="Text in the name.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Labels, by category then value."""
    st = state(ctx)
    answer = st.client.get(PATH, params={"category": category, "q": q})
    st.show_list(items_of(answer), as_json, COLUMNS, empty="no labels")


@app.command()
def categories(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Categories with how many labels each."""
    st = state(ctx)
    answer = st.client.get(f"{PATH}/categories")
    columns = [Column("category", "category"), Column("labels", "labels")]
    st.show_list(items_of(answer), as_json, columns, empty="no labels")


@app.command()
def show(ctx: typer.Context, label_id: str, as_json: JsonOpt = False) -> None:
    """One label."""
    st = state(ctx)
    st.show(st.client.get(f"{PATH}/{path_part(label_id)}"), as_json, COLUMNS)


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="category:value")],
    color: Annotated[str | None, typer.Option("--color", help="#rrggbb")] = None,
    description: Annotated[str, typer.Option("--description")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a label (admins)."""
    st = state(ctx)
    body = {"name": name, "color": color, "description": description}
    answer = st.client.post(PATH, json={k: v for k, v in body.items() if v is not None})
    done(ctx, answer, as_json, f"Created label {answer['name']} ({answer['label_id']}).")


@app.command()
def update(
    ctx: typer.Context,
    label_id: str,
    *,
    category: Annotated[str | None, typer.Option("--category")] = None,
    value: Annotated[str | None, typer.Option("--value")] = None,
    color: Annotated[str | None, typer.Option("--color")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a label (admins)."""
    st = state(ctx)
    body: dict[str, Any] = {
        "category": category,
        "value": value,
        "color": color,
        "description": description,
    }
    answer = st.client.put(
        f"{PATH}/{path_part(label_id)}", json={k: v for k, v in body.items() if v is not None}
    )
    done(ctx, answer, as_json, f"Label {answer['name']} updated.")


@app.command()
def delete(
    ctx: typer.Context, label_id: str, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Delete a label, taking it off every resource (admins)."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Delete label {label_id} (and take it off every resource)?", abort=True)
    answer = st.client.delete(f"{PATH}/{path_part(label_id)}")
    done(ctx, answer, as_json, f"Label deleted; removed from {answer['removed_from']} resource(s).")


@app.command()
def merge(ctx: typer.Context, source_id: str, target_id: str, as_json: JsonOpt = False) -> None:
    """Move every resource from SOURCE to TARGET, then delete SOURCE (admins)."""
    st = state(ctx)
    answer = st.client.post(f"{PATH}/merge", json={"source_id": source_id, "target_id": target_id})
    tail = "" if answer["complete"] else " (not finished: run it again)"
    done(
        ctx,
        answer,
        as_json,
        f"Merged into {answer['target']['name']}: {answer['moved']} resource(s){tail}.",
    )


@app.command("set")
def set_labels(
    ctx: typer.Context,
    resource_id: str,
    label_ids: Annotated[list[str] | None, typer.Argument(help="Label ids (none: clear).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace a resource's labels."""
    st = state(ctx)
    answer = st.client.put(
        f"{PATH}/resources/{path_part(resource_id)}", json={"label_ids": label_ids or []}
    )
    names = ", ".join(lb["name"] for lb in answer["labels"]) or "none"
    done(ctx, answer, as_json, f"Labels of {resource_id}: {names}.")


@app.command("of")
def labels_of(ctx: typer.Context, resource_id: str, as_json: JsonOpt = False) -> None:
    """A resource's labels."""
    st = state(ctx)
    answer = st.client.get(f"{PATH}/resources/{path_part(resource_id)}")
    st.show_list(answer["labels"], as_json, COLUMNS, empty="no labels")
