"""Builders with keyword arguments: each makes one valid thing and returns it (flushed, not committed)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import passwords, tokens
from yihu.auth.models import Account
from yihu.auth.service import Registration, actor_of, new_account, register_resident
from yihu.db import commit
from yihu.registry import directory
from yihu.registry.idcard import make as make_id_number
from yihu.registry.models import Department, Institution, Practitioner

_seq = itertools.count(1)
GIVEN_NAMES = ("建华", "秀英", "志强", "丽娟", "海涛", "文静", "国平", "晓燕", "明远", "慧敏", "振宇", "佳怡")
PASSWORD = "Yihu2026ok"


def unique() -> int:
    return next(_seq)


def id_number(born: date = date(1985, 6, 15), *, female: bool = False, region: str = "330411") -> str:
    n = unique() % 500
    seq = n * 2 + (0 if female else 1)
    return make_id_number(region, born, seq)


def phone() -> str:
    return f"139{unique():08d}"


async def institution(session: AsyncSession, *, code: str | None = None, name: str | None = None,
                      kind: str = "chc", **kw: Any) -> Institution:
    n = unique()
    return await directory.create_institution(session, directory.InstitutionInput(
        code=code or f"INST{n:04d}", name=name or f"测试社区卫生服务中心{n}", kind=kind,
        latitude=30.76, longitude=120.71, **kw))


async def department(session: AsyncSession, inst: Institution, *, code: str = "03") -> Department:
    return await directory.create_department(session, inst.id, code)


async def practitioner(session: AsyncSession, inst: Institution, *, kind: str = "nurse",
                       title: str = "senior_nurse", name: str | None = None,
                       practice_start: date = date(2012, 3, 1), department_id: str | None = None) -> Practitioner:
    n = unique()
    return await directory.create_practitioner(session, inst.id, directory.PractitionerInput(
        name=name or ("王" if kind == "nurse" else "李") + GIVEN_NAMES[n % len(GIVEN_NAMES)], sex="female", kind=kind, licence_no=f"LIC{n:08d}", title=title,
        practice_start=practice_start, department_id=department_id))


async def staff(session: AsyncSession, *, role: str, inst: Institution | None, totp_secret: str | None = None,
                phone_number: str | None = None, password: str = PASSWORD) -> Account:
    pr = None
    if role in ("doctor", "nurse", "pharmacist") and inst is not None:
        title = {"doctor": "attending_physician", "nurse": "senior_nurse", "pharmacist": "pharmacist"}[role]
        pr = await practitioner(session, inst, kind=role, title=title)
    if role in ("institution_admin", "system_admin", "regulator") and totp_secret is None:
        totp_secret = pyotp.random_base32()
    acc = new_account(phone=phone_number or phone(), password_hash=passwords.hash_password(password), role=role,
                      display_name=f"{role}-{unique()}", institution_id=inst.id if inst else None,
                      practitioner_id=pr.id if pr else None, totp_secret=totp_secret)
    session.add(acc)
    await session.flush()
    return acc


async def resident(session: AsyncSession, *, name: str = "张三明", born: date = date(1985, 6, 15),
                   female: bool = False, phone_number: str | None = None, password: str = PASSWORD,
                   id_no: str | None = None) -> Account:
    return await register_resident(session, Registration(
        name=name, id_number=id_no or id_number(born, female=female), phone=phone_number or phone(),
        password=password))


def auth(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.access_token(actor_of(account))}"}


async def done(session: AsyncSession) -> None:
    await commit(session)


async def doctor_schedule(session: AsyncSession, inst: Institution, *, days_ahead: int = 1, slots: int = 4,
                          capacity: int = 1, onsite: int = 0, release_days_ahead: int = 7, fee_fen: int = 1500,
                          slot_class: str = "expert", doctor: Practitioner | None = None,
                          period_start: str = "08:00") -> Any:
    """A doctor's schedule with one session ``days_ahead`` days from today (local) and its slots generated."""
    from datetime import timedelta

    from yihu.kit import clock
    from yihu.scheduling import schedules

    existing = await directory.departments(session, inst.id)
    dep = existing[0] if existing else await department(session, inst, code="03")
    doc = doctor or await practitioner(session, inst, kind="doctor", title="chief_physician",
                                       department_id=dep.id)
    day = clock.local_date(clock.now()) + timedelta(days=days_ahead)
    h, m = (int(x) for x in period_start.split(":"))
    end_minutes = h * 60 + m + 15 * slots
    sched = await schedules.create(session, inst.id, schedules.ScheduleInput(
        kind="doctor", name=f"{doc.name}专家门诊", fee_fen=fee_fen, slot_minutes=15, slot_class=slot_class,
        department_id=dep.id, practitioner_id=doc.id, capacity_per_slot=capacity, onsite_per_slot=onsite,
        release_days_ahead=release_days_ahead,
        sessions=[schedules.SessionInput(weekday=day.weekday(), period="morning", start=period_start,
                                         end=f"{end_minutes // 60:02d}:{end_minutes % 60:02d}")]))
    await schedules.generate(session, sched, day, day)
    return sched
