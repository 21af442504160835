"""Request/response models of the MFA family."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.schemas.common import Strict

Code = Field(min_length=1, max_length=32)


class MfaSetupOut(BaseModel):
    secret: str
    otpauth_uri: str
    qr_png_data_uri: str
    backup_codes: list[str]
    mfa_enabled: bool = False


class MfaCode(Strict):
    code: str = Code


class MfaDisable(Strict):
    password: str = Field(min_length=1, max_length=1024, repr=False)
    code: str = Code


class BackupCodesOut(BaseModel):
    backup_codes: list[str]
