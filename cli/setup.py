"""`rr setup`: first-run status and creating the first administrator."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.auth import EmailOpt, PasswordStdinOpt, read_password, read_secret
from cli.context import JsonOpt, state
from cli.output import Column

app = typer.Typer(help="First run: create the first administrator.")


@app.command("status")
def setup_status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Whether the first administrator exists yet."""
    st = state(ctx)
    answer = st.client.get("setup/status", auth=False)
    st.show(
        answer,
        as_json,
        [Column("setup_complete", "setup complete", "bool")],
    )


@app.command("init")
def setup_init(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Username of the first administrator.")],
    *,
    email: EmailOpt = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of stdin instead of a hidden prompt "
            "(after the setup token's line with --token-stdin).",
        ),
    ] = False,
    token_stdin: Annotated[
        bool,
        typer.Option(
            "--token-stdin",
            help="Read the one-time setup token from the first line of stdin instead of a "
            "hidden prompt.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create the first administrator (refused once setup is complete).

    Asks for the one-time setup token that `make run` prints (or, on a deployed stage, the
    first-run step `python -m infra.setup_token`). An existing account can be promoted by
    giving its username and current password.
    """
    st = state(ctx)
    token = read_secret(token_stdin, prompt="Setup token", what="setup token")
    password = read_password(password_stdin, confirm=not password_stdin)
    body: dict[str, Any] = {"setup_token": token, "username": username, "password": password}
    if email:
        body["email"] = email
    answer = st.client.post("setup/initialize", json=body, auth=False)
    if as_json:
        st.out.json(answer)
        return
    st.out.success(f"Administrator {username} is ready.")
    st.out.line(f"Sign in with: rr auth login {username}")


__all__ = ["PasswordStdinOpt", "app"]
