"""One Settings object, read from the environment (prefix ``YIHU_``) and an optional ``.env`` file."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development-only secret. A production deployment sets YIHU_ENV=production and must give its own
# keys; create_app refuses to start in production with these defaults.
_DEV_SECRET = "yihu-development-secret-do-not-use-in-production"  # noqa: S105 - refused in production


def _dev_key(purpose: str) -> str:
    return base64.b64encode(hashlib.sha256(f"{_DEV_SECRET}:{purpose}".encode()).digest()).decode()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIHU_", env_file=".env", extra="ignore")

    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    var_dir: Path = Path("var")
    database_url: str = ""
    db_pool_size: int = 10
    # A ping before each use of a pooled connection costs a round trip per checkout (several per booking); off by
    # default: a connection broken by a database restart fails its request once and is replaced (pool_recycle
    # also retires connections before firewalls cut idle ones).
    db_pool_pre_ping: bool = False
    db_pool_recycle_seconds: int = 1800
    db_echo: bool = False

    # Field encryption keys: "version:base64key" separated by commas; the highest version encrypts,
    # every listed version decrypts (rotation).
    data_keys: str = Field(default_factory=lambda: f"1:{_dev_key('data')}")
    blind_index_key: str = Field(default_factory=lambda: _dev_key("blind-index"))
    jwt_secret: str = Field(default_factory=lambda: _dev_key("jwt"))
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    mfa_token_minutes: int = 5
    lockout_threshold: int = 5
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    lockout_minutes: int = 15
    sms_code_minutes: int = 5
    sms_code_attempts: int = 5
    guardian_age: int = 14

    # Booking rules (anti-scalper), all configurable.
    booking_max_open: int = 5
    noshow_limit: int = 3
    noshow_window_days: int = 90
    noshow_bar_days: int = 90
    noshow_grace_minutes: int = 30
    cancel_close_minutes: int = 30
    release_delay_min_seconds: int = 30
    release_delay_max_seconds: int = 180
    idempotency_stale_seconds: int = 60
    waitlist_offer_minutes: int = 5
    booking_rate_per_account: int = 20
    booking_rate_per_ip: int = 120
    booking_rate_window_seconds: int = 60
    # On PostgreSQL a resident's booking is answered by plain ASGI and SQL (yihu.scheduling.fastlane): same rules,
    # rows and answers as the FastAPI route, at a fraction of the CPU (bench/booking_rush.py).
    booking_fast_lane: bool = True
    redis_url: str = ""
    nursing_dispatch_engine: Literal["lns", "ortools"] = "lns"  # measured by bench/dispatch.py: lns is closer
    nursing_dispatch_seconds: float = 5.0  # the dispatch optimiser's time limit per proposed day plan
    nursing_checkin_radius_m: int = 500  # a nurse checks in within this distance of the visit address

    # Notification gateway: "recording" keeps what would be sent in the database.
    sms_gateway: str = "recording"
    inline_delivery: bool = True

    web_dist: Path = Path(__file__).resolve().parents[2] / "web" / "dist"
    log_json: bool = False

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir / 'yihu.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def uses_development_secrets(self) -> bool:
        return self.jwt_secret == _dev_key("jwt") or _dev_key("data") in self.data_keys


@lru_cache
def get_settings() -> Settings:
    return Settings()
