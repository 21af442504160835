"""`rr mfa`: two-factor authentication with a TOTP app, and backup codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from cli.auth import OtpStdinOpt, PasswordStdinOpt, read_code, read_password
from cli.context import JsonOpt, state

app = typer.Typer(
    help="Two-factor authentication (TOTP) and backup codes. Codes are asked for at a hidden "
    "prompt (or read from stdin with --otp-stdin), never taken as arguments."
)


@app.command()
def setup(
    ctx: typer.Context,
    qr: Annotated[
        bool, typer.Option("--qr", help="Also draw the QR code in the terminal.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Start enrolment: prints the secret, the otpauth URI and backup codes.

    Two-factor authentication is on only after `rr mfa verify CODE`.
    """
    st = state(ctx)
    answer = st.client.post("auth/mfa/setup", json={})
    if as_json:
        st.out.json(answer)
        return
    st.out.line("Add this account to your authenticator app:", "bold")
    st.out.line(f"  secret:      {answer.get('secret', '')}")
    st.out.line(f"  otpauth URI: {answer.get('otpauth_uri', '')}")
    if qr and answer.get("otpauth_uri"):
        _draw_qr(str(answer["otpauth_uri"]))
    _print_codes(st.out.line, answer.get("backup_codes") or [])
    st.out.line("Then confirm with: rr mfa verify (it asks for a current code)", "bold")


@app.command()
def verify(ctx: typer.Context, otp_stdin: OtpStdinOpt = False) -> None:
    """Confirm enrolment with a current code: from now on sign-in asks for a code.

    Your other signed-in sessions end (this one goes on)."""
    st = state(ctx)
    code = read_code(otp_stdin)
    st.client.post("auth/mfa/verify", json={"code": code})
    st.out.success("Two-factor authentication is on.")


@app.command()
def disable(
    ctx: typer.Context,
    password_stdin: PasswordStdinOpt = False,
    otp_stdin: OtpStdinOpt = False,
) -> None:
    """Turn two-factor authentication off (needs your password and a current code).

    Your other signed-in sessions end (this one goes on)."""
    st = state(ctx)
    password = read_password(password_stdin)
    code = read_code(otp_stdin)
    st.client.post("auth/mfa/disable", json={"password": password, "code": code})
    st.out.success("Two-factor authentication is off.")


@app.command("backup-codes")
def backup_codes(
    ctx: typer.Context, otp_stdin: OtpStdinOpt = False, as_json: JsonOpt = False
) -> None:
    """Replace your backup codes with 10 new ones (the old ones stop working)."""
    st = state(ctx)
    code = read_code(otp_stdin)
    answer = st.client.post("auth/mfa/backup-codes", json={"code": code})
    if as_json:
        st.out.json(answer)
        return
    _print_codes(st.out.line, answer.get("backup_codes") or [])


def _print_codes(line: Callable[..., None], codes: list[str]) -> None:
    if not codes:
        return
    line("Backup codes (each works once; keep them somewhere safe):", "bold")
    for code in codes:
        line(f"  {code}")


def _draw_qr(uri: str) -> None:
    import io

    import qrcode

    code = qrcode.QRCode(border=1)
    code.add_data(uri)
    buffer = io.StringIO()
    code.print_ascii(out=buffer, invert=True)
    typer.echo(buffer.getvalue())
