"""HMAC-SHA256 signatures of provider notifications: ``t=<unix seconds>,v1=<hex>`` over ``"<t>." + body``."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Yihu-Signature"


def signature(secret: str, body: bytes, ts: int) -> str:
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def verify(secret: str, body: bytes, header: str | None, now_ts: int, tolerance_seconds: int) -> bool:
    """True for a well-formed header whose MAC matches and whose time is within the tolerance."""
    if not header:
        return False
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    ts_raw, given = parts.get("t", ""), parts.get("v1", "")
    if not ts_raw.isdigit() or not given:
        return False
    ts = int(ts_raw)
    if abs(now_ts - ts) > tolerance_seconds:
        return False
    expected = signature(secret, body, ts).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)
