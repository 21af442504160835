"""`rr admin roles`: built-in and custom roles (named sets of scopes), and who holds them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import JsonOpt, YesOpt, state
from cli.listing import done, items_of
from cli.lookup import path_part, user_id
from cli.output import Column

app = typer.Typer(
    help="Roles: the built-in admin/user/guest and custom roles (named sets of scopes). "
    "Without a command: the list.",
    invoke_without_command=True,
)

PATH = "roles"
NameArg = Annotated[str, typer.Argument(help="The role's name.")]
ScopeOpt = Annotated[
    list[str] | None,
    typer.Option("--scope", help="A scope to grant (repeatable); see `rr admin roles scopes`."),
]
VersionOpt = Annotated[
    int | None,
    typer.Option("--version", help="The version you read: refused if the role changed since."),
]
UserOpt = Annotated[str | None, typer.Argument(help="User id, or username.")]
ClientOpt = Annotated[str | None, typer.Option("--client", help="An OAuth client id instead.")]
COLUMNS = [
    Column("name", "role"),
    Column("builtin", "built-in", "bool"),
    Column("scopes", "scopes", "list"),
    Column("holders", "holders"),
    Column("version", "version"),
    Column("description", "description"),
]


@app.callback()
def roles(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    if ctx.invoked_subcommand is None:
        list_roles(ctx, as_json)


@app.command("list")
def list_roles(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every role and the scopes it grants."""
    st = state(ctx)
    st.show_list(items_of(st.client.get(PATH)), as_json, COLUMNS, title="Roles")


@app.command()
def scopes(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The scopes the API knows (only `admin` cannot be put in a custom role)."""
    st = state(ctx)
    columns = [
        Column("name", "scope"),
        Column("grantable", "grantable", "bool"),
        Column("description", "description"),
    ]
    st.show_list(items_of(st.client.get(f"{PATH}/scopes")), as_json, columns)


@app.command()
def show(ctx: typer.Context, name: NameArg, as_json: JsonOpt = False) -> None:
    """One role."""
    st = state(ctx)
    st.show(st.client.get(f"{PATH}/{path_part(name)}"), as_json, COLUMNS)


@app.command()
def create(
    ctx: typer.Context,
    name: NameArg,
    scope: ScopeOpt = None,
    description: Annotated[str, typer.Option("--description")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a custom role."""
    st = state(ctx)
    body = {"name": name, "description": description, "scopes": scope or []}
    answer = st.client.post(PATH, json=body)
    done(ctx, answer, as_json, f"Created role {answer['name']}: {', '.join(answer['scopes'])}.")


@app.command()
def update(
    ctx: typer.Context,
    name: NameArg,
    *,
    scope: ScopeOpt = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a custom role's scopes (all of them: give every --scope) or description."""
    st = state(ctx)
    body: dict[str, Any] = {"scopes": scope, "description": description, "version": version}
    answer = st.client.patch(
        f"{PATH}/{path_part(name)}", json={k: v for k, v in body.items() if v is not None}
    )
    done(ctx, answer, as_json, f"Role {answer['name']} is now version {answer['version']}.")


@app.command()
def delete(
    ctx: typer.Context,
    name: NameArg,
    version: VersionOpt = None,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a custom role (refused while a user or client holds it)."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Delete role {name}?", abort=True)
    params = {} if version is None else {"version": version}
    st.client.delete(f"{PATH}/{path_part(name)}", params=params)
    done(ctx, {"name": name, "deleted": True}, as_json, f"Role {name} deleted.")


def _assignment(
    ctx: typer.Context, method: str, name: str, user: str | None, client: str | None
) -> Any:
    st = state(ctx)
    if (user is None) == (client is None):
        st.out.error("give a user, or --client CLIENT_ID (not both)")
        raise typer.Exit(1)
    if client is not None:
        body = {"client_id": client, "role": name}
        return st.client.request(method, f"{PATH}/assign-client", json=body)
    body = {"user_id": user_id(st.client, str(user)), "role": name}
    return st.client.request(method, f"{PATH}/assign", json=body)


@app.command()
def assign(
    ctx: typer.Context,
    name: NameArg,
    user: UserOpt = None,
    client: ClientOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a role to a user (built-in or custom) or, with --client, to an OAuth client."""
    answer = _assignment(ctx, "POST", name, user, client)
    done(ctx, answer, as_json, f"{user or client} now holds role {name}.")


@app.command()
def unassign(
    ctx: typer.Context,
    name: NameArg,
    user: UserOpt = None,
    client: ClientOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take a role from a user or, with --client, from an OAuth client."""
    answer = _assignment(ctx, "DELETE", name, user, client)
    done(ctx, answer, as_json, f"{user or client} no longer holds role {name}.")
