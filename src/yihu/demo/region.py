"""``yihu demo``: load the deterministic demo district (健康秀洲, seed 001) once, and print its logins.

One transaction loads everything: the medical group and its eleven institutions, departments and rooms, the
practitioners with roles and credentials (some nurses deliberately ineligible for home nursing), the demo
logins, and resident families with their cards. A second load finds the group and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from rich.console import Console
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import passwords
from yihu.auth.models import Account
from yihu.auth.service import new_account
from yihu.config import get_settings
from yihu.db import Base, Database, commit, utcnow
from yihu.demo import bulk, district, logins, nursing, outpatient, population
from yihu.demo.keys import DEMO_PASSWORD, uid
from yihu.demo.staff import StaffPlan, staff_plan
from yihu.kit import audit, clock
from yihu.registry.codes import INSTITUTION_KINDS
from yihu.registry.models import (
    Card,
    Credential,
    Department,
    Institution,
    MedicalGroup,
    Patient,
    PatientLink,
    Practitioner,
    PractitionerRole,
    Room,
)
from yihu.scheduling.models import Schedule, Slot

DEMO_RESIDENTS = 600  # synthetic residents besides the demo family; `yihu seed` adds more
STEPS = 8


class Tick(Protocol):
    def __call__(self, n: int = 1, total: int | None = None) -> None: ...


def _no_progress(n: int = 1, total: int | None = None) -> None:
    return None


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    phone: str
    institution: str
    totp_secret: str | None
    note: str


@dataclass
class DemoSummary:
    created: bool
    password: str
    group: str
    logins: list[DemoLogin]
    counts: dict[str, int] = field(default_factory=dict)
    ineligible_nurses: dict[str, str] = field(default_factory=dict)  # licence number -> reason


def institution_id(code: str) -> str:
    return uid(f"institution:{code}")


def group_id() -> str:
    return uid(f"group:{district.GROUP_CODE}")


def _stamp(now: datetime) -> dict[str, Any]:
    return {"created_at": now, "updated_at": now}


async def _institutions(session: AsyncSession, now: datetime) -> None:
    gid = group_id()
    await bulk.insert_rows(
        session,
        MedicalGroup,
        [
            {
                "id": gid,
                "code": district.GROUP_CODE,
                "name": district.GROUP_NAME,
                "kind": district.GROUP_KIND,
                "lead_institution_id": None,
                **_stamp(now),
            }
        ],
    )
    await bulk.insert_rows(
        session,
        Institution,
        [
            {
                "id": institution_id(i.code),
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "address": i.address,
                "latitude": i.lat,
                "longitude": i.lon,
                "phone": i.phone,
                "group_id": gid,
                "active": True,
                **_stamp(now),
            }
            for i in district.INSTITUTIONS
        ],
    )
    await session.execute(
        update(MedicalGroup)
        .where(MedicalGroup.id == gid)
        .values(lead_institution_id=institution_id(district.LEAD_CODE))
    )


def department_id(inst_code: str, dep_code: str) -> str:
    return uid(f"department:{inst_code}:{dep_code}")


async def _departments_and_rooms(session: AsyncSession, now: datetime) -> None:
    deps: list[dict[str, Any]] = []
    rooms: list[dict[str, Any]] = []
    for i in district.INSTITUTIONS:
        for code in i.departments:
            deps.append(
                {
                    "id": department_id(i.code, code),
                    "institution_id": institution_id(i.code),
                    "code": code,
                    "name": district.department_name(code),
                    "description": "",
                    "active": True,
                    **_stamp(now),
                }
            )
        for r in district.rooms_of(i):
            rooms.append(
                {
                    "id": uid(f"room:{i.code}:{r.code}"),
                    "institution_id": institution_id(i.code),
                    "department_id": department_id(i.code, r.department) if r.department else None,
                    "code": r.code,
                    "name": r.name,
                    "kind": r.kind,
                    "active": True,
                    **_stamp(now),
                }
            )
    await bulk.insert_rows(session, Department, deps)
    await bulk.insert_rows(session, Room, rooms)


async def _practitioners(session: AsyncSession, plans: list[StaffPlan], now: datetime) -> None:
    people: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    creds: list[dict[str, Any]] = []
    for p in plans:
        inst = institution_id(p.institution)
        people.append(
            {
                "id": p.id,
                "name": p.name,
                "sex": p.sex,
                "kind": p.kind,
                "licence_no": p.licence_no,
                "licence_valid_until": p.licence_valid_until,
                "title": p.title,
                "practice_start": p.practice_start,
                "registered_institution_id": inst,
                "suspended": p.suspended_reason is not None,
                "suspended_reason": p.suspended_reason,
                "suspended_at": now if p.suspended_reason else None,
                "home_latitude": p.home[0],
                "home_longitude": p.home[1],
                **_stamp(now),
            }
        )
        roles.append(
            {
                "id": uid(f"role:{p.licence_no}"),
                "practitioner_id": p.id,
                "institution_id": inst,
                "department_id": department_id(p.institution, p.department) if p.department else None,
                "role": p.kind,
                "active": True,
                **_stamp(now),
            }
        )
        for c in p.credentials:
            creds.append(
                {
                    "id": uid(f"credential:{c.number}"),
                    "practitioner_id": p.id,
                    "kind": c.kind,
                    "number": c.number,
                    "issuer": c.issuer,
                    "issued_on": c.issued_on,
                    "expires_on": c.expires_on,
                    "revoked": False,
                    **_stamp(now),
                }
            )
    await bulk.insert_rows(session, Practitioner, people)
    await bulk.insert_rows(session, PractitionerRole, roles)
    await bulk.insert_rows(session, Credential, creds)


async def _staff_accounts(
    session: AsyncSession, plans: list[StaffPlan], password_hash: str, now: datetime
) -> None:
    by_key = {p.key: p for p in plans}
    rows = []
    for spec in logins.LOGINS:
        if spec.role == "resident":
            continue
        practitioner = by_key[spec.practitioner].id if spec.practitioner else None
        acc = new_account(
            phone=spec.phone,
            password_hash=password_hash,
            role=spec.role,
            display_name=spec.name,
            institution_id=institution_id(spec.institution) if spec.institution else None,
            practitioner_id=practitioner,
            totp_secret=spec.totp_secret,
            row_id=uid(f"account:{spec.key}"),
        )
        rows.append(bulk.columns(acc, lang="zh-CN", **_stamp(now)))
    await bulk.insert_rows(session, Account, rows)


async def _residents(session: AsyncSession, password_hash: str, today: date, now: datetime) -> None:
    fams = [logins.demo_family(), *population.families(0, DEMO_RESIDENTS)]
    await bulk.claim_id_numbers(session, [m for f in fams for m in f.members], set())
    ids = {i.code: institution_id(i.code) for i in district.INSTITUTIONS}
    rows = bulk.family_rows(fams, institution_ids=ids, password_hash=password_hash, today=today, now=now)
    await rows.insert(session)


async def _load(session: AsyncSession, today: date, tick: Tick) -> None:
    now = utcnow()
    plans = staff_plan(today)
    await _institutions(session, now)
    tick()
    await _departments_and_rooms(session, now)
    tick()
    await _practitioners(session, plans, now)
    tick()
    password_hash = passwords.hash_password(DEMO_PASSWORD)  # once: argon2 is slow by design
    await _staff_accounts(session, plans, password_hash, now)
    tick()
    await _residents(session, password_hash, today, now)
    tick()
    await outpatient.load(session, plans, today)
    tick()
    await nursing.load(session, plans, today, residents=DEMO_RESIDENTS)
    tick()


_COUNTED: tuple[tuple[str, type[Base]], ...] = (
    ("schedules", Schedule),
    ("slots", Slot),
    ("institutions", Institution),
    ("departments", Department),
    ("rooms", Room),
    ("practitioners", Practitioner),
    ("credentials", Credential),
    ("patients", Patient),
    ("accounts", Account),
    ("cards", Card),
    ("patient_links", PatientLink),
)


async def counts(session: AsyncSession) -> dict[str, int]:
    out = {
        name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in _COUNTED
    }
    for kind, n in (
        await session.execute(select(Practitioner.kind, func.count()).group_by(Practitioner.kind))
    ).tuples():
        out[f"{kind}s"] = int(n)
    return out


def _logins() -> list[DemoLogin]:
    out = []
    for spec in logins.LOGINS:
        inst = district.INSTITUTION_BY_CODE[spec.institution].name if spec.institution else ""
        out.append(DemoLogin(spec.role, spec.name, spec.phone, inst, spec.totp_secret, spec.note))
    return out


async def load_demo(db: Database, progress: Tick | None = None, *, today: date | None = None) -> DemoSummary:
    """Load the demo district unless it is there already; either way return what to log in with."""
    today = today or clock.today()
    tick = progress or _no_progress
    tick(0, total=STEPS)
    async with db.sessionmaker() as session:
        created = await session.get(MedicalGroup, group_id()) is None
        if created:
            await _load(session, today, tick)
            audit.record(
                session,
                audit.SYSTEM,
                "demo.load",
                resource_type="MedicalGroup",
                resource_id=group_id(),
                detail={"residents": DEMO_RESIDENTS + len(logins.demo_family().members)},
            )
            await commit(session)
            await outpatient.bookings_and_settlements(db)
        else:
            tick(STEPS - 1)
        summary = DemoSummary(
            created=created,
            password=DEMO_PASSWORD,
            group=district.GROUP_NAME,
            logins=_logins(),
            counts=await counts(session),
            ineligible_nurses={p.licence_no: p.ineligible for p in staff_plan(today) if p.ineligible},
        )
    tick()
    return summary


def print_logins(console: Console, summary: DemoSummary) -> None:
    s = get_settings()
    c = summary.counts
    state = "loaded" if summary.created else "already loaded, nothing changed"
    console.print(f"[bold]Yihu 医护 demo district ({summary.group})[/bold]: {state}.")
    console.print(
        f"{c.get('institutions', 0)} institutions, {c.get('departments', 0)} departments, "
        f"{c.get('rooms', 0)} rooms, {c.get('doctors', 0)} doctors, {c.get('nurses', 0)} nurses "
        f"({len(summary.ineligible_nurses)} deliberately ineligible for home nursing: "
        f"{', '.join(f'{r} {n}' for r, n in sorted(Counter(summary.ineligible_nurses.values()).items()))}), "
        f"{c.get('patients', 0)} residents, {c.get('accounts', 0)} accounts, {c.get('cards', 0)} cards, "
        f"{c.get('schedules', 0)} clinic and exam schedules with {c.get('slots', 0)} slots for the coming week."
    )
    console.print(
        f"Start the server with [bold].venv/bin/yihu serve[/bold], then open "
        f"[bold]http://{s.host}:{s.port}[/bold]  (API docs /api/docs, FHIR /fhir/metadata)."
    )
    console.print(f"[bold]Demo logins[/bold] (password for all: [bold]{summary.password}[/bold]):")
    for login in summary.logins:
        place = f"  {login.institution}" if login.institution else ""
        secret = f"  TOTP secret [bold]{login.totp_secret}[/bold]" if login.totp_secret else ""
        console.print(f"  {login.role:<17} {login.phone}  {login.name}{secret}{place}  ({login.note})")
    console.print(
        "Admin roles (institution_admin, regulator, system_admin) need a second factor: add the secret "
        "to an authenticator app, or print the current code with [bold].venv/bin/yihu dev totp <phone>"
        "[/bold]."
    )
    kinds = sorted({INSTITUTION_KINDS[i.kind][0] for i in district.INSTITUTIONS})
    console.print(f"Institution kinds: {', '.join(kinds)}.")
