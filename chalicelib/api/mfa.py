"""TOTP two-factor authentication for the signed-in user."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.common import Message
from chalicelib.api.schemas.mfa import BackupCodesOut, MfaCode, MfaDisable, MfaSetupOut

bp = Blueprint(__name__)
TAGS = ("mfa",)


@endpoint(
    bp,
    "/api/v1/auth/mfa/setup",
    "POST",
    self_service=True,
    summary="Start MFA: a new seed, QR and backup codes",
    tags=TAGS,
    response=MfaSetupOut,
    description="MFA is enabled only once /auth/mfa/verify accepts a code from the app.",
)
def setup(ctx: RequestContext) -> MfaSetupOut:
    enrollment = wiring.mfa().start_setup(ctx.user)
    return MfaSetupOut(
        secret=enrollment.secret,
        otpauth_uri=enrollment.otpauth_uri,
        qr_png_data_uri=enrollment.qr_png_data_uri,
        backup_codes=enrollment.backup_codes,
    )


@endpoint(
    bp,
    "/api/v1/auth/mfa/verify",
    "POST",
    self_service=True,
    summary="Enable MFA with a code from the app",
    tags=TAGS,
    body=MfaCode,
    response=Message,
)
def verify(ctx: RequestContext[MfaCode]) -> Message:
    body = ctx.body
    wiring.mfa().verify_setup(ctx.user, body.code)
    return Message(message="MFA enabled: sign-in now asks for a code")


@endpoint(
    bp,
    "/api/v1/auth/mfa/disable",
    "POST",
    self_service=True,
    summary="Disable MFA (password + code)",
    tags=TAGS,
    body=MfaDisable,
    response=Message,
)
def disable(ctx: RequestContext[MfaDisable]) -> Message:
    body = ctx.body
    wiring.mfa().disable(ctx.user, body.password, body.code)
    return Message(message="MFA disabled")


@endpoint(
    bp,
    "/api/v1/auth/mfa/backup-codes",
    "POST",
    self_service=True,
    summary="Replace the backup codes",
    tags=TAGS,
    body=MfaCode,
    response=BackupCodesOut,
    description="Needs a current TOTP code; the old backup codes stop working.",
)
def backup_codes(ctx: RequestContext[MfaCode]) -> BackupCodesOut:
    body = ctx.body
    return BackupCodesOut(backup_codes=wiring.mfa().regenerate_backup_codes(ctx.user, body.code))
