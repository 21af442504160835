"""`rr auth`: register, sign in (with TOTP when the account has it), sign out, status."""

from __future__ import annotations

import base64
import binascii
import json
import sys
import time
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

import typer

from cli.client import ApiError, CliError
from cli.context import JsonOpt, state
from cli.output import Column

app = typer.Typer(help="Register, sign in and out, and inspect the stored session.")

PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of stdin instead of a hidden prompt.",
    ),
]
OtpStdinOpt = Annotated[
    bool,
    typer.Option(
        "--otp-stdin",
        help="Read the TOTP or backup code from the next line of stdin (after the password's "
        "line with --password-stdin) instead of a hidden prompt.",
    ),
]
# Refused, never used: a code or password in argv is visible in `ps` and shell history.
RefusedOtpOpt = Annotated[str | None, typer.Option("--otp", hidden=True)]
EmailOpt = Annotated[str | None, typer.Option("--email", help="E-mail address (optional).")]

PROFILE_COLUMNS = [
    Column("id", "id"),
    Column("username", "username"),
    Column("email", "email"),
    Column("email_verified", "verified", "bool"),
    Column("roles", "roles", "list"),
    Column("is_admin", "admin", "bool"),
    Column("mfa_enabled", "MFA", "bool"),
    Column("email_notifications", "e-mail notifications", "bool"),
    Column("reminder_hours", "reminder (hours before)"),
    Column("timezone", "time zone"),
    Column("created_at", "created", "time"),
]


def read_password(from_stdin: bool, *, prompt: str = "Password", confirm: bool = False) -> str:
    """Hidden prompt (never echoed, never an argument that lands in shell history)."""
    return read_secret(from_stdin, prompt=prompt, confirm=confirm)


OTP_ARGUMENT_REFUSED = (
    "--otp is not accepted: a code on the command line is visible to other users "
    "(ps, shell history); you are asked for it, or use --otp-stdin in scripts"
)


def read_code(from_stdin: bool) -> str:
    """A TOTP or backup code: a hidden prompt, or one line of stdin (`--otp-stdin`)."""
    return read_secret(from_stdin, prompt="Authentication code (TOTP or backup code)", what="code")


def read_secret(
    from_stdin: bool, *, prompt: str, what: str = "password", confirm: bool = False
) -> str:
    """One line of stdin, or a hidden prompt; never an argument (visible in `ps`, history)."""
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    if not secret:
        raise CliError(f"the {what} is empty")
    return secret.strip() if what != "password" else secret


def jwt_claims(token: str) -> dict[str, Any]:
    """The token's claims, for DISPLAY only (the API verifies; we never trust these)."""
    try:
        payload = token.split(".")[1]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(decoded)
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


@app.command()
def register(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="3-32 characters: a-z 0-9 . _ -")],
    email: EmailOpt = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Create an account (you are asked for the password twice, hidden)."""
    st = state(ctx)
    password = read_password(password_stdin, confirm=not password_stdin)
    body: dict[str, Any] = {"username": username, "password": password}
    if email:
        body["email"] = email
    profile = st.client.post("register", json=body, auth=False)
    if as_json:
        st.out.json(profile)
        return
    st.out.success(f"Account {profile.get('username', username)} created.")
    if email:
        st.out.line(
            f"A verification link was mailed to {email}: no other mail goes there until you "
            "open it (or paste it into `rr auth confirm-email`)."
        )
    st.out.line(f"Sign in with: rr auth login {profile.get('username', username)}")


@app.command()
def login(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Your username.")],
    password_stdin: PasswordStdinOpt = False,
    otp_stdin: OtpStdinOpt = False,
    otp: RefusedOtpOpt = None,
) -> None:
    """Sign in and store the tokens (file mode 0600) for the next commands.

    With two-factor authentication the code is asked for (hidden), or read from stdin with
    --otp-stdin; it is never taken from the command line.
    """
    st = state(ctx)
    if otp is not None:
        raise CliError(OTP_ARGUMENT_REFUSED)
    password = read_password(password_stdin)
    body: dict[str, Any] = {"username": username, "password": password}
    if otp_stdin:
        body["otp"] = read_code(True)
    try:
        tokens = st.client.post("token", json=body, auth=False)
    except ApiError as exc:
        if exc.code != "mfa_required" or otp_stdin:
            raise
        if password_stdin:
            raise CliError(
                "this account uses two-factor authentication: add --otp-stdin and give the "
                "code on the line after the password"
            ) from None
        body["otp"] = read_code(False)
        tokens = st.client.post("token", json=body, auth=False)
    stored_name = str(jwt_claims(tokens["access_token"]).get("username") or username)
    st.client.save_tokens(stored_name, tokens)
    roles = jwt_claims(tokens["access_token"]).get("roles") or []
    suffix = f" (roles: {', '.join(roles)})" if roles else ""
    st.out.success(f"Signed in to {st.client.base_url} as {stored_name}{suffix}.")


@app.command("verify-email")
def verify_email(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Mail a new verification link to your address (older links stop working).

    No mail about reservations goes to an address until its link is confirmed: open the link
    and press the button, or run `rr auth confirm-email` and paste it.
    """
    st = state(ctx)
    answer = st.client.post("users/me/email/verification", json={})
    if as_json:
        st.out.json(answer)
        return
    st.out.success(f"A verification link is on its way to {answer.get('email')}.")


@app.command("confirm-email")
def confirm_email(
    ctx: typer.Context,
    token_stdin: Annotated[
        bool,
        typer.Option(
            "--token-stdin",
            help="Read the link (or its token) from the first line of stdin instead of a prompt.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Confirm your address with the link from the verification mail (it works once)."""
    st = state(ctx)
    pasted = read_secret(token_stdin, prompt="Verification link (or token)", what="link")
    body = {"token": token_from_link(pasted)}
    answer = st.client.post("auth/verify-email", json=body, auth=False)
    if as_json:
        st.out.json(answer)
        return
    st.out.success(f"{answer.get('email')} is verified.")


def token_from_link(pasted: str) -> str:
    """The `token` query parameter of a pasted link, or the text itself if it is a token."""
    query = urlsplit(pasted.strip()).query
    return (parse_qs(query).get("token") or [pasted.strip()])[0]


@app.command()
def logout(ctx: typer.Context) -> None:
    """Revoke this session's tokens on the API and forget them locally."""
    st = state(ctx)
    creds = st.client.require_credentials()
    body = {"refresh_token": creds.refresh_token} if creds.refresh_token else {}
    try:
        st.client.post("logout", json=body)
    except ApiError as exc:
        st.client.store.clear(st.client.base_url)
        if exc.status != 401:
            raise
        # Already invalid on the server side: nothing left to revoke.
    except CliError:
        st.client.store.clear(st.client.base_url)
        st.out.notice("local tokens removed, but the API could not revoke them")
        raise
    st.client.store.clear(st.client.base_url)
    st.out.success(f"Signed out of {st.client.base_url}.")


@app.command()
def status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Who you are signed in as (checked with the API); exit 1 if not signed in."""
    st = state(ctx)
    creds = st.client.credentials()
    if creds is None:
        if as_json:
            st.out.json({"api_url": st.client.base_url, "signed_in": False})
        else:
            st.out.line(f"Not signed in to {st.client.base_url}.")
        raise typer.Exit(1)
    profile = st.client.get("users/me")
    creds = st.client.credentials() or creds  # may have been refreshed by that call
    expiry = _expiry(creds.access_token, creds.expires_at)
    if as_json:
        st.out.json(
            {
                "api_url": st.client.base_url,
                "signed_in": True,
                "user": profile,
                "access_token_expires_at": expiry,
            }
        )
        return
    st.out.record(
        {"api_url": st.client.base_url, **profile, "expires": expiry},
        [
            Column("api_url", "API"),
            *PROFILE_COLUMNS[:6],
            Column("expires", "token expires", "time"),
        ],
        title="Signed in",
    )


@app.command()
def refresh(ctx: typer.Context) -> None:
    """Rotate the stored refresh token now (commands also do it on their own when needed)."""
    st = state(ctx)
    creds = st.client.refresh()
    expiry = _expiry(creds.access_token, creds.expires_at)
    st.out.success(
        f"Tokens refreshed for {creds.username}; access valid until "
        f"{st.out.render(expiry, 'time')} {st.zone.key}."
    )


def _expiry(access_token: str, expires_at: float | None) -> str | None:
    exp = jwt_claims(access_token).get("exp") or expires_at
    if not isinstance(exp, int | float):
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))
