from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class RegisterIn(BaseModel):
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)
    phone: str = Field(max_length=20)
    password: str = Field(max_length=128)


class LoginIn(BaseModel):
    phone: str = Field(max_length=20)
    password: str = Field(max_length=128)


class TotpIn(BaseModel):
    mfa_token: str = Field(max_length=2048)
    code: str = Field(max_length=10)


class RefreshIn(BaseModel):
    refresh_token: str = Field(max_length=256)


class SmsRequestIn(BaseModel):
    phone: str = Field(max_length=20)


class SmsLoginIn(BaseModel):
    phone: str = Field(max_length=20)
    code: str = Field(max_length=10)


class TokenOut(BaseModel):
    mfa_required: bool = False
    mfa_token: str | None = None
    totp_enrollment_uri: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int | None = None
    account: dict[str, Any] | None = None


class AccountOut(BaseModel):
    id: str
    role: str
    display_name: str
    phone: str
    institution_id: str | None
    practitioner_id: str | None
    patient_id: str | None
    mfa_enabled: bool
    lang: str
