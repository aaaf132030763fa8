"""Per-request context: who acts, from where. Set by the auth dependency and middleware."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    ip: str
    lang: str


request_info: ContextVar[RequestInfo | None] = ContextVar("request_info", default=None)


def current_ip() -> str:
    info = request_info.get()
    return info.ip if info else "local"


def current_lang() -> str:
    info = request_info.get()
    return info.lang if info else "zh-CN"
