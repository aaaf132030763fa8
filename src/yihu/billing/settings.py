"""Billing settings (prefix ``YIHU_BILLING_``): which provider serves each channel, provider secrets, the
insurance policy and the sandbox's behaviour."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CHANNELS = ("wechat", "alipay", "insurance_card", "bank_card", "kiosk")
# Development-only: refused in production (see providers.provider()).
DEV_SANDBOX_SECRET = hashlib.sha256(b"yihu-development-sandbox-payment-secret").hexdigest()


class InsuranceRule(BaseModel):
    """Per bill kind: the insurance pays ``ratio_bp`` (basis points) of what is above the deductible, up to
    ``cap_fen`` per bill; the patient pays the rest."""

    ratio_bp: int = Field(ge=0, le=10_000)
    deductible_fen: int = Field(default=0, ge=0)
    cap_fen: int | None = Field(default=None, ge=0)


def _default_policy() -> dict[str, InsuranceRule]:
    return {
        "registration": InsuranceRule(ratio_bp=5000),
        "exam": InsuranceRule(ratio_bp=7000, deductible_fen=2000),
        "outpatient": InsuranceRule(ratio_bp=6000, deductible_fen=1000, cap_fen=200_000),
        "nursing": InsuranceRule(ratio_bp=5000),
        # Deposits are settled by insurance at discharge, not when topped up: no entry, card refused.
    }


class BillingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIHU_BILLING_", env_file=".env", extra="ignore")

    channel_providers: dict[str, str] = Field(default_factory=lambda: dict.fromkeys(CHANNELS, "sandbox"))
    provider_secrets: dict[str, str] = Field(default_factory=lambda: {"sandbox": DEV_SANDBOX_SECRET})
    notify_tolerance_seconds: int = 300
    payment_expiry_minutes: int = 30
    insurance_policy: dict[str, InsuranceRule] = Field(default_factory=_default_policy)
    minutes_saved_per_settlement: int = 5
    # The sandbox sends every notification this many times, as real providers may.
    sandbox_deliveries: int = Field(default=2, ge=1, le=10)
    sandbox_max_attempts: int = 5
    # Where the sandbox posts its notifications; empty: straight into this process's notify handler.
    sandbox_notify_base_url: str = ""


@lru_cache
def billing_settings() -> BillingSettings:
    return BillingSettings()
