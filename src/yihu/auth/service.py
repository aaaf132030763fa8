"""Registration, sign-in (password, SMS code, second factor), token refresh and lockout."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyotp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import errors, passwords, phone_codes, tokens
from yihu.auth.actor import Actor
from yihu.auth.models import MFA_ROLES, Account, RefreshToken
from yihu.config import get_settings
from yihu.db import new_id, utcnow
from yihu.errors import NOT_FOUND, DomainError
from yihu.kit import audit, clock
from yihu.kit.crypto import mask_phone
from yihu.kit.vault import vault
from yihu.notify import service as notify
from yihu.registry import errors as registry_errors
from yihu.registry import service as registry


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def check_password_strength(password: str) -> None:
    if len(password) < 8 or len(password) > 128 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d",
                                                                                                          password):
        raise DomainError(errors.PASSWORD_WEAK)


def actor_of(account: Account) -> Actor:
    return Actor(account_id=account.id, role=account.role, institution_id=account.institution_id,
                 practitioner_id=account.practitioner_id, patient_id=account.patient_id)


def phone_of(account: Account) -> str:
    return vault().open(account.phone_enc, "account", "phone", account.id)


def new_account(*, phone: str, password_hash: str, role: str, display_name: str, institution_id: str | None = None,
                practitioner_id: str | None = None, patient_id: str | None = None,
                totp_secret: str | None = None, row_id: str | None = None) -> Account:
    v = vault()
    aid = row_id or new_id()
    return Account(
        id=aid, phone_enc=v.seal(phone, "account", "phone", aid), phone_bidx=v.index("phone", phone),
        password_hash=password_hash, role=role, display_name=display_name, institution_id=institution_id,
        practitioner_id=practitioner_id, patient_id=patient_id,
        totp_secret_enc=v.seal(totp_secret, "account", "totp_secret", aid) if totp_secret else None,
        failed_logins=0, active=True,
    )


async def by_phone(session: AsyncSession, phone: str) -> Account | None:
    found: Account | None = await session.scalar(
        select(Account).where(Account.phone_bidx == vault().index("phone", phone)))
    return found


async def get_account(session: AsyncSession, account_id: str) -> Account:
    a = await session.get(Account, account_id)
    if a is None:
        raise DomainError(NOT_FOUND, what="账户")
    return a


async def accounts_for_patient(session: AsyncSession, patient_id: str) -> list[tuple[str, str]]:
    """(account id, language) of every active account that is the patient or has the patient bound by a card:
    who is told about the patient's news (a report, a called number)."""
    ids = await registry.card_holder_account_ids(session, patient_id)
    rows = await session.execute(select(Account.id, Account.lang).where(
        (Account.id.in_(ids) | (Account.patient_id == patient_id)), Account.active.is_(True)).order_by(Account.id))
    return [(str(a), str(lang or "zh-CN")) for a, lang in rows.tuples().all()]


async def own_account_id(session: AsyncSession, patient_id: str) -> str | None:
    """The patient's own active account, if the patient registered one."""
    found: str | None = await session.scalar(select(Account.id).where(Account.patient_id == patient_id,
                                                                      Account.active.is_(True)))
    return found


# ---- registration ----

@dataclass(frozen=True)
class Registration:
    name: str
    id_number: str
    phone: str
    password: str


async def register_resident(session: AsyncSession, reg: Registration, today: date | None = None) -> Account:
    today = today or clock.today()
    name = registry.normalize_name(reg.name)
    idn = registry.parse(reg.id_number, today)
    phone = registry.normalize_phone(reg.phone)
    check_password_strength(reg.password)
    age = get_settings().guardian_age
    if idn.age_on(today) < age:
        raise DomainError(registry_errors.MINOR_NEEDS_GUARDIAN, age=age)
    existing = await registry.find_by_id_number(session, idn.value)
    if existing is not None and await session.scalar(select(Account.id).where(Account.patient_id == existing.id)):
        raise DomainError(registry_errors.ALREADY_REGISTERED)
    if await by_phone(session, phone) is not None:
        raise DomainError(registry_errors.PHONE_TAKEN)
    patient, _ = await registry.get_or_create(session, name=name, idn=idn, phone=phone)
    account = new_account(phone=phone, password_hash=passwords.hash_password(reg.password), role="resident",
                          display_name=name, patient_id=patient.id)
    session.add(account)
    await session.flush()
    audit.record(session, actor_of(account), "patient.register", patient_id=patient.id, resource_type="Patient",
                 resource_id=patient.id)
    return account


# ---- sign-in ----

@dataclass
class LoginResult:
    account: Account
    mfa_token: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    totp_enrollment_uri: str | None = None


def _locked(account: Account) -> bool:
    return account.locked_until is not None and account.locked_until > utcnow()


def _raise_locked(account: Account) -> None:
    assert account.locked_until is not None  # noqa: S101
    minutes = max(1, int((account.locked_until - utcnow()).total_seconds() // 60) + 1)
    raise DomainError(errors.LOCKED, minutes=minutes)


def _fail(account: Account, error: Any) -> DomainError:
    """Count a failure (kept even though the request fails) and lock after the threshold."""
    s = get_settings()
    account.failed_logins += 1
    if account.failed_logins >= s.lockout_threshold:
        account.failed_logins = 0
        account.locked_until = utcnow() + timedelta(minutes=s.lockout_minutes)
        return DomainError(errors.LOCKED, commit=True, minutes=s.lockout_minutes)
    return DomainError(error, commit=True)


async def _after_first_factor(session: AsyncSession, account: Account) -> LoginResult:
    if not account.active:
        raise DomainError(errors.INACTIVE)
    if account.role in MFA_ROLES:
        result = LoginResult(account=account, mfa_token=tokens.mfa_token(account.id))
        if account.totp_secret_enc is None:
            secret = pyotp.random_base32()
            account.totp_secret_enc = vault().seal(secret, "account", "totp_secret", account.id)
            result.totp_enrollment_uri = pyotp.TOTP(secret).provisioning_uri(name=account.display_name,
                                                                             issuer_name="Yihu")
        return result
    return await issue_tokens(session, account)


async def login_password(session: AsyncSession, phone_raw: str, password: str) -> LoginResult:
    try:
        phone = registry.normalize_phone(phone_raw)
    except DomainError:
        raise DomainError(errors.INVALID_CREDENTIALS) from None
    account = await by_phone(session, phone)
    if account is None:
        passwords.verify_password(passwords.dummy_hash(), password)
        raise DomainError(errors.INVALID_CREDENTIALS)
    if _locked(account):
        _raise_locked(account)
    if not passwords.verify_password(account.password_hash, password):
        raise _fail(account, errors.INVALID_CREDENTIALS)
    account.failed_logins = 0
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    return await _after_first_factor(session, account)


async def login_totp(session: AsyncSession, mfa_token: str, code: str) -> LoginResult:
    account = await get_account(session, tokens.account_from_mfa(mfa_token))
    if _locked(account):
        _raise_locked(account)
    if account.totp_secret_enc is None:
        raise DomainError(errors.MFA_TOKEN_INVALID)
    secret = vault().open(account.totp_secret_enc, "account", "totp_secret", account.id)
    totp = pyotp.TOTP(secret)
    now = utcnow()
    step = int(now.timestamp()) // totp.interval
    matched = None
    for delta in (-1, 0, 1):  # one step of clock drift either way
        if secrets.compare_digest(totp.at(now.timestamp() + delta * totp.interval), (code or "").strip()):
            matched = step + delta
    if matched is None or (account.totp_last_step is not None and matched <= account.totp_last_step):
        raise _fail(account, errors.MFA_INVALID)
    account.totp_last_step = matched
    account.failed_logins = 0
    return await issue_tokens(session, account)


async def issue_tokens(session: AsyncSession, account: Account, family_id: str | None = None) -> LoginResult:
    s = get_settings()
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(RefreshToken(account_id=account.id, token_hash=_sha(raw), family_id=family_id or new_id(),
                             issued_at=now, expires_at=now + timedelta(days=s.refresh_token_days)))
    await session.flush()
    return LoginResult(account=account, access_token=tokens.access_token(actor_of(account)), refresh_token=raw)


async def refresh(session: AsyncSession, raw: str) -> LoginResult:
    """Rotate a refresh token. Presenting a used one revokes its whole family (a stolen token)."""
    rt = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _sha(raw or "")))
    now = utcnow()
    if rt is None or rt.revoked_at is not None or rt.expires_at <= now:
        raise DomainError(errors.REFRESH_INVALID)
    if rt.used_at is not None:
        await session.execute(update(RefreshToken).where(RefreshToken.family_id == rt.family_id,
                                                         RefreshToken.revoked_at.is_(None)).values(revoked_at=now))
        raise DomainError(errors.REFRESH_INVALID, commit=True)
    account = await get_account(session, rt.account_id)
    if not account.active:
        raise DomainError(errors.INACTIVE)
    # Conditional update: only one of two concurrent refreshes with the same token wins.
    res = await session.execute(update(RefreshToken).where(RefreshToken.id == rt.id, RefreshToken.used_at.is_(None))
                                .values(used_at=now))
    if getattr(res, "rowcount", 1) != 1:
        raise DomainError(errors.REFRESH_INVALID)
    return await issue_tokens(session, account, family_id=rt.family_id)


async def logout(session: AsyncSession, raw: str) -> None:
    rt = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _sha(raw or "")))
    if rt is not None:
        await session.execute(update(RefreshToken).where(RefreshToken.family_id == rt.family_id,
                                                         RefreshToken.revoked_at.is_(None)).values(revoked_at=utcnow()))


# ---- SMS code sign-in ----

async def request_sms_code(session: AsyncSession, phone_raw: str) -> None:
    """Send a code if the phone has an account; the answer is the same either way (no enumeration)."""
    s = get_settings()
    phone = registry.normalize_phone(phone_raw)
    code = await phone_codes.issue(session, phone, "login")
    account = await by_phone(session, phone)
    if account is not None and account.active:
        notify.enqueue_sms(session, phone=phone, template="login_code",
                           params={"code": code, "minutes": s.sms_code_minutes}, account_id=account.id,
                           lang=account.lang)


async def login_sms(session: AsyncSession, phone_raw: str, code: str) -> LoginResult:
    try:
        phone = registry.normalize_phone(phone_raw)
    except DomainError:
        raise DomainError(errors.SMS_CODE_INVALID) from None
    account = await by_phone(session, phone)
    if account is not None and _locked(account):
        _raise_locked(account)
    if not await phone_codes.check(session, phone, "login", code) or account is None:
        if account is not None:
            raise _fail(account, errors.SMS_CODE_INVALID)
        raise DomainError(errors.SMS_CODE_INVALID, commit=True)
    account.failed_logins = 0
    return await _after_first_factor(session, account)


# ---- views ----

def account_view(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "role": account.role,
        "display_name": account.display_name,
        "phone": mask_phone(phone_of(account)),
        "institution_id": account.institution_id,
        "practitioner_id": account.practitioner_id,
        "patient_id": account.patient_id,
        "mfa_enabled": account.totp_secret_enc is not None,
        "lang": account.lang,
    }
