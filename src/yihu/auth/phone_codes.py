"""One-time codes sent to a phone, per purpose (sign-in, consent to be bound as a family member)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import errors
from yihu.auth.models import SmsCode
from yihu.config import get_settings
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit.vault import vault

RESEND_SECONDS = 60


def _hash(bidx: str, purpose: str, code: str) -> str:
    return hashlib.sha256(f"{bidx}:{purpose}:{code}".encode()).hexdigest()


async def issue(session: AsyncSession, phone: str, purpose: str) -> str:
    """A new code for this phone and purpose; at most one a minute."""
    s = get_settings()
    bidx = vault().index("phone", phone)
    now = utcnow()
    last = await session.scalar(select(SmsCode).where(SmsCode.phone_bidx == bidx, SmsCode.purpose == purpose)
                                .order_by(SmsCode.created_at.desc()).limit(1))
    if last is not None and (now - last.created_at).total_seconds() < RESEND_SECONDS:
        raise DomainError(errors.SMS_TOO_SOON, seconds=RESEND_SECONDS - int((now - last.created_at).total_seconds()))
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(SmsCode(phone_bidx=bidx, code_hash=_hash(bidx, purpose, code), purpose=purpose, created_at=now,
                        expires_at=now + timedelta(minutes=s.sms_code_minutes)))
    await session.flush()
    return code


async def check(session: AsyncSession, phone: str, purpose: str, code: str) -> bool:
    """True and used up when ``code`` is the newest live code; a wrong try counts against it."""
    s = get_settings()
    bidx = vault().index("phone", phone)
    now = utcnow()
    sms = await session.scalar(select(SmsCode).where(SmsCode.phone_bidx == bidx, SmsCode.purpose == purpose,
                                                     SmsCode.used_at.is_(None))
                               .order_by(SmsCode.created_at.desc()).limit(1))
    if sms is None or sms.expires_at <= now or sms.attempts >= s.sms_code_attempts:
        return False
    if not secrets.compare_digest(sms.code_hash, _hash(bidx, purpose, (code or "").strip())):
        sms.attempts += 1
        await session.flush()
        return False
    sms.used_at = now
    await session.flush()
    return True
