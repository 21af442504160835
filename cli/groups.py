"""`rr groups`: locations (site > building > floor > zone), resources in them, group admins."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, YesOpt, require, state
from cli.listing import done, items_of
from cli.lookup import path_part, user_id
from cli.output import Column

app = typer.Typer(help="Locations: a tree of resource groups, and who administers them.")

PATH = "resource-groups"
KINDS = "site, building, floor, zone, room or other"
COLUMNS = [
    Column("group_id", "id"),
    Column("name", "name"),
    Column("kind", "kind"),
    Column("parent_id", "parent"),
    Column("children", "groups"),
    Column("resources", "resources"),
]
RESOURCE_COLUMNS = [
    Column("resource_id", "id"),
    Column("name", "name"),
    Column("group_id", "group"),
]


def _group(group_id: str) -> str:
    return f"{PATH}/{path_part(group_id)}"


@app.command("list")
def list_groups(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help=f"Only this kind ({KINDS}).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every group, flat."""
    st = state(ctx)
    answer = st.client.get(PATH, params={"kind": kind} if kind else None)
    st.show_list(items_of(answer), as_json, COLUMNS, empty="no groups yet")


def _print_tree(ctx: typer.Context, nodes: list[dict[str, Any]], depth: int) -> None:
    out = state(ctx).out
    for node in nodes:
        g = node["group"]
        out.line(f"{'  ' * depth}{g['name']} ({g['kind']}, {g['resources']} res.) {g['group_id']}")
        _print_tree(ctx, node["children"], depth + 1)


@app.command()
def tree(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The whole tree in one request."""
    st = state(ctx)
    answer = st.client.get(f"{PATH}/tree")
    if as_json:
        st.out.json(answer)
    elif not answer["roots"]:
        st.out.line("no groups yet")
    else:
        _print_tree(ctx, answer["roots"], 0)


@app.command()
def show(ctx: typer.Context, group_id: str, as_json: JsonOpt = False) -> None:
    """A group with its ancestors and children."""
    st = state(ctx)
    answer = st.client.get(_group(group_id))
    if as_json:
        st.out.json(answer)
        return
    st.show(answer["group"], False, COLUMNS)
    st.out.line("path: " + " > ".join(a["name"] for a in [*answer["ancestors"], answer["group"]]))


@app.command()
def create(
    ctx: typer.Context,
    name: str,
    *,
    kind: Annotated[str, typer.Option("--kind", help=KINDS)] = "other",
    parent: Annotated[str | None, typer.Option("--parent", help="Parent group id.")] = None,
    description: Annotated[str, typer.Option("--description")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a group (admins)."""
    st = state(ctx)
    body = {"name": name, "kind": kind, "parent_id": parent, "description": description}
    answer = st.client.post(PATH, json=body)
    done(ctx, answer, as_json, f"Created group {answer['name']} ({answer['group_id']}).")


@app.command()
def update(
    ctx: typer.Context,
    group_id: str,
    *,
    name: Annotated[str | None, typer.Option("--name")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=KINDS)] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="Move under this group.")] = None,
    root: Annotated[bool, typer.Option("--root", help="Move to the top level.")] = False,
    description: Annotated[str | None, typer.Option("--description")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename or move a group (admins); a move under its own subtree is refused."""
    st = state(ctx)
    require(not (root and parent), "give --parent or --root, not both")
    body: dict[str, Any] = {
        k: v
        for k, v in {
            "name": name,
            "kind": kind,
            "description": description,
            "parent_id": parent,
        }.items()
        if v is not None
    }
    if root:
        body["parent_id"] = None
    answer = st.client.patch(_group(group_id), json=body)
    done(ctx, answer, as_json, f"Group {answer['name']} updated.")


@app.command()
def delete(
    ctx: typer.Context, group_id: str, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Delete an empty group (admins)."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Delete group {group_id}?", abort=True)
    answer = st.client.delete(_group(group_id))
    done(ctx, answer, as_json, f"Group {group_id} deleted.")


@app.command()
def assign(ctx: typer.Context, group_id: str, resource_id: str, as_json: JsonOpt = False) -> None:
    """Put a resource in a group (admins, or group admins inside their groups)."""
    st = state(ctx)
    answer = st.client.post(f"{_group(group_id)}/resources", json={"resource_id": resource_id})
    done(ctx, answer, as_json, f"{answer['name']} is now in group {group_id}.")


@app.command()
def unassign(ctx: typer.Context, group_id: str, resource_id: str, as_json: JsonOpt = False) -> None:
    """Take a resource out of its group."""
    st = state(ctx)
    answer = st.client.delete(f"{_group(group_id)}/resources/{path_part(resource_id)}")
    done(ctx, answer, as_json, f"{answer['name']} is ungrouped.")


@app.command()
def resources(ctx: typer.Context, group_id: str, as_json: JsonOpt = False) -> None:
    """Resources in a group's whole subtree (first page)."""
    st = state(ctx)
    answer = st.client.get(f"{_group(group_id)}/resources", params={"limit": 100})
    st.show_list(items_of(answer), as_json, RESOURCE_COLUMNS, empty="no resources there")


@app.command()
def ungrouped(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Resources in no group (first page)."""
    st = state(ctx)
    answer = st.client.get(f"{PATH}/ungrouped", params={"limit": 100})
    st.show_list(items_of(answer), as_json, RESOURCE_COLUMNS, empty="every resource is grouped")


@app.command()
def ancestors(ctx: typer.Context, resource_id: str, as_json: JsonOpt = False) -> None:
    """The groups a resource is in, root first."""
    st = state(ctx)
    answer = st.client.get(f"resources/{path_part(resource_id)}/ancestors")
    st.show_list(answer["ancestors"], as_json, COLUMNS, empty="the resource is in no group")


@app.command()
def admins(ctx: typer.Context, group_id: str, as_json: JsonOpt = False) -> None:
    """Users who administer the group's resources (admins)."""
    st = state(ctx)
    answer = st.client.get(f"{_group(group_id)}/admins")
    rows = [{"user_id": u} for u in answer["user_ids"]]
    st.show_list(rows, as_json, [Column("user_id", "user")], empty="no group admins")


@app.command()
def grant(ctx: typer.Context, group_id: str, user: str, as_json: JsonOpt = False) -> None:
    """Make a user (id or username) admin of the resources under a group (admins)."""
    st = state(ctx)
    uid = user_id(st.client, user)
    answer = st.client.put(f"{_group(group_id)}/admins/{path_part(uid)}")
    done(ctx, answer, as_json, f"{user} now administers group {group_id}.")


@app.command()
def revoke(ctx: typer.Context, group_id: str, user: str, as_json: JsonOpt = False) -> None:
    """Revoke a group admin grant (admins)."""
    st = state(ctx)
    uid = user_id(st.client, user)
    answer = st.client.delete(f"{_group(group_id)}/admins/{path_part(uid)}")
    done(ctx, answer, as_json, f"{user} no longer administers group {group_id}.")
