"""`rr resources parts`: composite resources (issue 14), a resource's parts and composites."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, state
from cli.listing import done
from cli.lookup import path_part
from cli.output import Column

app = typer.Typer(help="Composite resources: the parts a resource is made of.")

COLUMNS = [
    Column("resource_id", "resource"),
    Column("parts", "parts"),
    Column("part_of", "part of"),
]


def _path(resource_id: str) -> str:
    return f"resources/{path_part(resource_id)}/parts"


def _readable(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        **answer,
        "parts": ", ".join(answer["parts"]) or "-",
        "part_of": ", ".join(answer["part_of"]) or "-",
    }


@app.command()
def show(ctx: typer.Context, resource_id: str, as_json: JsonOpt = False) -> None:
    """A resource's parts and the composites it is a part of."""
    st = state(ctx)
    answer = st.client.get(_path(resource_id))
    st.show(answer if as_json else _readable(answer), as_json, COLUMNS)


@app.command("set")
def set_parts(
    ctx: typer.Context,
    resource_id: str,
    parts: Annotated[list[str], typer.Argument(help="The part resource ids (the whole list).")],
    as_json: JsonOpt = False,
) -> None:
    """Make RESOURCE_ID a composite of PARTS (replaces the list)."""
    st = state(ctx)
    answer = st.client.put(_path(resource_id), json={"parts": parts})
    done(ctx, answer, as_json, f"{resource_id} is made of {', '.join(answer['parts'])}.")


@app.command()
def clear(ctx: typer.Context, resource_id: str, as_json: JsonOpt = False) -> None:
    """RESOURCE_ID is no longer a composite (its parts stay, unlinked)."""
    st = state(ctx)
    answer = st.client.put(_path(resource_id), json={"parts": []})
    done(ctx, answer, as_json, f"{resource_id} has no parts now.")
