"""`rr admin`: accounts, roles and OAuth clients (administrators only)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli import roles as roles_cli
from cli.auth import PasswordStdinOpt, read_password
from cli.context import AllOpt, CursorOpt, JsonOpt, LimitOpt, YesOpt, state
from cli.lookup import is_id, user_id
from cli.output import Column

app = typer.Typer(
    help="Administration: accounts, roles, OAuth clients, jobs, dead letters (admins only)."
)
clients_app = typer.Typer(help="OAuth2 client-credentials clients for other systems.")
app.add_typer(clients_app, name="clients")
app.add_typer(roles_cli.app, name="roles")  # custom roles (roles14): list, create, assign...

UserArg = Annotated[str, typer.Argument(help="User id, or username.")]
RoleArg = Annotated[str, typer.Argument(help="admin, user, guest or a custom role.")]

USER_COLUMNS = [
    Column("id", "id"),
    Column("username", "username"),
    Column("email", "email"),
    Column("roles", "roles", "list"),
    Column("disabled", "disabled", "bool"),
    Column("mfa_enabled", "MFA", "bool"),
    Column("created_at", "created", "time"),
]


@app.command()
def users(
    ctx: typer.Context,
    *,
    q: Annotated[str | None, typer.Option("--q", help="Username prefix.")] = None,
    limit: LimitOpt = 20,
    cursor: CursorOpt = None,
    all_pages: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List accounts."""
    st = state(ctx)
    params = {"q": q, "limit": limit, "cursor": cursor}
    with st.out.pages("users") as progress:
        items = list(
            st.client.paginate("auth/admin/users", params, all_pages=all_pages, on_page=progress)
        )
    st.show_list(items, as_json, USER_COLUMNS, title="Users", empty="no users")


def _role_change(ctx: typer.Context, user: str, role: str, method: str) -> dict[str, Any]:
    st = state(ctx)
    target = user_id(st.client, user)
    answer = st.client.request(method, "roles/assign", json={"user_id": target, "role": role})
    return answer if isinstance(answer, dict) else {"user_id": target, "role": role}


@app.command("assign-role")
def assign_role(ctx: typer.Context, user: UserArg, role: RoleArg, as_json: JsonOpt = False) -> None:
    """Give a user a role."""
    answer = _role_change(ctx, user, role, "POST")
    _done(ctx, answer, as_json, f"{user} now has role {role}.")


@app.command("remove-role")
def remove_role(ctx: typer.Context, user: UserArg, role: RoleArg, as_json: JsonOpt = False) -> None:
    """Take a role away from a user (you cannot remove your own admin role)."""
    answer = _role_change(ctx, user, role, "DELETE")
    _done(ctx, answer, as_json, f"{user} no longer has role {role}.")


@app.command("reset-password")
def reset_password(
    ctx: typer.Context, user: UserArg, password_stdin: PasswordStdinOpt = False
) -> None:
    """Set a user's password (signs them out everywhere)."""
    st = state(ctx)
    target = {"user_id": user} if is_id(user) else {"username": user}
    password = read_password(password_stdin, prompt="New password", confirm=not password_stdin)
    st.client.post("auth/admin/reset-password", json={**target, "new_password": password})
    st.out.success(f"Password of {user} reset; their sessions are signed out.")


@app.command()
def disable(ctx: typer.Context, user: UserArg, as_json: JsonOpt = False) -> None:
    """Disable an account (its tokens stop working at once)."""
    st = state(ctx)
    answer = st.client.post(f"admin/users/{user_id(st.client, user)}/disable", json={})
    _done(ctx, answer, as_json, f"{user} is disabled.")


@app.command()
def enable(ctx: typer.Context, user: UserArg, as_json: JsonOpt = False) -> None:
    """Enable a disabled account."""
    st = state(ctx)
    answer = st.client.post(f"admin/users/{user_id(st.client, user)}/enable", json={})
    _done(ctx, answer, as_json, f"{user} is enabled.")


def _done(ctx: typer.Context, answer: Any, as_json: bool, message: str) -> None:
    st = state(ctx)
    if as_json:
        st.out.json(answer)
    else:
        st.out.success(message)


CLIENT_COLUMNS = [
    Column("client_id", "client id"),
    Column("name", "name"),
    Column("scopes", "scopes", "list"),
    Column("created_at", "created", "time"),
]


@clients_app.command("list")
def clients_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """OAuth clients."""
    st = state(ctx)
    answer = st.client.get("oauth/clients")
    items = answer.get("items", answer) if isinstance(answer, dict) else answer
    st.show_list(items, as_json, CLIENT_COLUMNS, empty="no clients")


@clients_app.command("create")
def clients_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the client is for.")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", help="A scope to grant (repeatable), e.g. reservations:read."),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Create a client; its secret is shown once."""
    st = state(ctx)
    answer = st.client.post("oauth/clients", json={"name": name, "scopes": scope})
    if as_json:
        st.out.json(answer)
        return
    st.out.record(answer, [*CLIENT_COLUMNS[:3], Column("client_secret", "client secret")])
    st.out.notice("The client secret is shown only now: store it safely.")


@clients_app.command("delete")
def clients_delete(
    ctx: typer.Context,
    client_id: Annotated[str, typer.Argument(help="The client id.")],
    yes: YesOpt = False,
) -> None:
    """Delete a client (its tokens stop being issued)."""
    st = state(ctx)
    if not yes:
        typer.confirm(f"Delete OAuth client {client_id}?", abort=True)
    st.client.delete(f"oauth/clients/{client_id}")
    st.out.success(f"Client {client_id} deleted.")
