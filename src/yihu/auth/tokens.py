"""Short-lived signed access tokens (JWT, HS256) and the short second-factor token."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from datetime import timedelta
from typing import Any

import jwt

from yihu.auth import errors
from yihu.auth.actor import Actor
from yihu.config import get_settings
from yihu.db import utcnow
from yihu.errors import DomainError

ISSUER = "yihu"


def _encode(claims: dict[str, Any], minutes: int) -> str:
    now = utcnow()
    body = {**claims, "iss": ISSUER, "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=minutes)).timestamp()),
            "jti": secrets.token_hex(8)}
    return jwt.encode(body, get_settings().jwt_secret, algorithm="HS256")


def _decode(token: str, typ: str, error: Any) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(token, get_settings().jwt_secret, algorithms=["HS256"], issuer=ISSUER,
                                            options={"require": ["exp", "iat", "sub"]})
    except jwt.PyJWTError:
        raise DomainError(error) from None
    if claims.get("typ") != typ:
        raise DomainError(error)
    return claims


def access_token(actor: Actor) -> str:
    return _encode(
        {"sub": actor.account_id, "typ": "access", "role": actor.role, "inst": actor.institution_id,
         "prac": actor.practitioner_id, "pat": actor.patient_id},
        get_settings().access_token_minutes,
    )


# Access tokens already verified, until they expire: checking the signature and claims costs about 40 µs, about a
# twentieth of a whole booking on the fast lane. Keyed by the secret too, so a new secret re-checks every token.
_VERIFIED: OrderedDict[tuple[str, str], tuple[Actor, float]] = OrderedDict()
_VERIFIED_MAX = 4096


def actor_from_access(token: str) -> Actor:
    key = (get_settings().jwt_secret, token)
    hit = _VERIFIED.get(key)
    if hit is not None and hit[1] > time.time():
        return hit[0]
    c = _decode(token, "access", errors.TOKEN_INVALID)
    actor = Actor(account_id=c["sub"], role=c["role"], institution_id=c.get("inst"), practitioner_id=c.get("prac"),
                  patient_id=c.get("pat"))
    _VERIFIED[key] = (actor, float(c["exp"]))
    if len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)
    return actor


def mfa_token(account_id: str) -> str:
    return _encode({"sub": account_id, "typ": "mfa"}, get_settings().mfa_token_minutes)


def account_from_mfa(token: str) -> str:
    return str(_decode(token, "mfa", errors.MFA_TOKEN_INVALID)["sub"])
