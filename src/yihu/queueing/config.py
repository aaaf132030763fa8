"""The queue's rules, all configurable (environment ``YIHU_QUEUE_*``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class QueueSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIHU_QUEUE_", env_file=".env", extra="ignore")

    # Online or kiosk check-in opens this many minutes before the slot and closes this many minutes before it.
    checkin_open_minutes: int = 60
    checkin_close_minutes: int = 0
    # Patients of at least this age wait first among those waiting (0 turns the rule off).
    elderly_age: int = 80
    # A passed patient (过号) re-queues behind this many waiting patients.
    pass_offset: int = 3
    # The "N ahead" notice (in-app and SMS), sent once per visit.
    notify_ahead: int = 3
    # Service time assumed until the queue has finished patients of its own.
    default_service_minutes: int = 8
    # Server-Sent Events: keep-alive comment interval, stream token lifetime, watchers per process.
    sse_keepalive_seconds: float = 15.0
    sse_token_minutes: int = 10
    sse_max_watchers: int = 20000
    sse_buffer: int = 64
    # The waiting-room screen shows the called number and this many next.
    screen_next: int = 5


@lru_cache
def queue_settings() -> QueueSettings:
    return QueueSettings()
