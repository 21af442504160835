"""`rr users`: your own profile, preferences, password and roles."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.auth import PROFILE_COLUMNS, PasswordStdinOpt, read_password
from cli.context import JsonOpt, require, state
from cli.output import Column

app = typer.Typer(help="Your profile, preferences, password and roles.")


@app.command()
def me(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Show your profile."""
    st = state(ctx)
    st.show(st.client.get("users/me"), as_json, PROFILE_COLUMNS, title="Profile")


@app.command()
def update(
    ctx: typer.Context,
    *,
    email: Annotated[str | None, typer.Option("--email", help="New e-mail address.")] = None,
    email_notifications: Annotated[
        bool | None,
        typer.Option(
            "--email-notifications/--no-email-notifications",
            help="Receive e-mail notifications.",
            show_default=False,
        ),
    ] = None,
    reminder_hours: Annotated[
        int | None,
        typer.Option("--reminder-hours", min=0, max=168, help="Reminder lead time, 0-168 hours."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Your IANA time zone, e.g. Europe/Paris."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change your e-mail address or preferences (only the options given)."""
    st = state(ctx)
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "email": email,
            "email_notifications": email_notifications,
            "reminder_hours": reminder_hours,
            "timezone": timezone,
        }.items()
        if value is not None
    }
    require(bool(changes), "nothing to change: give at least one option (see --help)")
    profile = st.client.patch("users/me", json=changes)
    st.show(profile, as_json, PROFILE_COLUMNS, title="Profile updated")


@app.command()
def password(ctx: typer.Context, password_stdin: PasswordStdinOpt = False) -> None:
    """Change your password (signs out every session, including this one)."""
    st = state(ctx)
    current = read_password(password_stdin, prompt="Current password")
    new = read_password(password_stdin, prompt="New password", confirm=not password_stdin)
    st.client.post("users/me/password", json={"current_password": current, "new_password": new})
    st.client.store.clear(st.client.base_url)
    st.out.success("Password changed; every session was signed out. Sign in again.")


@app.command()
def roles(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Your roles."""
    st = state(ctx)
    answer = st.client.get("roles/my-roles")
    items = answer.get("roles", answer) if isinstance(answer, dict) else answer
    rows = [item if isinstance(item, dict) else {"name": item} for item in items]
    st.show_list(
        rows if not as_json else answer,
        as_json,
        [Column("name", "role"), Column("description", "description")],
    )
