"""Institutions, medical groups, departments, rooms, practitioners, roles and credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.db import utcnow
from yihu.errors import NOT_FOUND, DomainError
from yihu.registry import codes, errors
from yihu.registry.models import (
    Credential,
    Department,
    Institution,
    MedicalGroup,
    Practitioner,
    PractitionerRole,
    Room,
)


async def get_institution(session: AsyncSession, institution_id: str) -> Institution:
    inst = await session.get(Institution, institution_id)
    if inst is None:
        raise DomainError(NOT_FOUND, what="机构")
    return inst


async def list_institutions(session: AsyncSession, *, kind: str | None = None, group_id: str | None = None,
                            name: str | None = None, code: str | None = None, offset: int = 0,
                            limit: int = 50) -> tuple[list[Institution], int]:
    q = select(Institution).where(Institution.active.is_(True))
    if kind:
        q = q.where(Institution.kind == kind)
    if group_id:
        q = q.where(Institution.group_id == group_id)
    if name:
        q = q.where(Institution.name.contains(name, autoescape=True))
    if code:
        q = q.where(Institution.code == code)
    return await _page(session, q.order_by(Institution.code), offset, limit)


async def _page(session: AsyncSession, q: Select[Any], offset: int, limit: int) -> tuple[list[Any], int]:
    total = int(await session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0)
    rows = (await session.scalars(q.offset(offset).limit(limit))).all()
    return list(rows), total


async def groups(session: AsyncSession) -> list[MedicalGroup]:
    return list((await session.scalars(select(MedicalGroup).order_by(MedicalGroup.code))).all())


async def get_group(session: AsyncSession, group_id: str) -> MedicalGroup:
    g = await session.get(MedicalGroup, group_id)
    if g is None:
        raise DomainError(NOT_FOUND, what="医疗集团")
    return g


@dataclass(frozen=True)
class InstitutionInput:
    code: str
    name: str
    kind: str
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""
    group_id: str | None = None


async def create_institution(session: AsyncSession, data: InstitutionInput) -> Institution:
    if data.kind not in codes.INSTITUTION_KINDS:
        raise DomainError(errors.INSTITUTION_KIND)
    if await session.scalar(select(Institution.id).where(Institution.code == data.code)):
        raise DomainError(errors.INSTITUTION_CODE_TAKEN)
    if data.group_id:
        await get_group(session, data.group_id)
    inst = Institution(**data.__dict__)
    session.add(inst)
    await session.flush()
    return inst


async def departments(session: AsyncSession, institution_id: str) -> list[Department]:
    return list((await session.scalars(
        select(Department).where(Department.institution_id == institution_id, Department.active.is_(True))
        .order_by(Department.code))).all())


async def departments_by_code(session: AsyncSession, codes: list[str], *, first: str | None = None,
                              institution_id: str | None = None, limit: int = 50) -> list[Department]:
    """Active departments with one of these subject codes, ``first`` code before the others, in a stable order."""
    q = select(Department).where(Department.code.in_(codes), Department.active.is_(True))
    if institution_id is not None:
        q = q.where(Department.institution_id == institution_id)
    order = [case((Department.code == first, 0), else_=1)] if first else []
    return list((await session.scalars(q.order_by(*order, Department.institution_id, Department.id)
                                       .limit(limit))).all())


async def get_department(session: AsyncSession, department_id: str) -> Department:
    d = await session.get(Department, department_id)
    if d is None:
        raise DomainError(NOT_FOUND, what="科室")
    return d


async def create_department(session: AsyncSession, institution_id: str, code: str, name: str | None = None,
                            description: str = "") -> Department:
    await get_institution(session, institution_id)
    subject = codes.CLINICAL_SUBJECTS.get(code)
    if subject is None:
        raise DomainError(errors.DEPARTMENT_CODE_UNKNOWN)
    exists = await session.scalar(
        select(Department.id).where(Department.institution_id == institution_id, Department.code == code))
    if exists:
        raise DomainError(errors.DEPARTMENT_CODE_TAKEN)
    d = Department(institution_id=institution_id, code=code, name=name or subject[0], description=description)
    session.add(d)
    await session.flush()
    return d


async def rooms(session: AsyncSession, institution_id: str) -> list[Room]:
    return list((await session.scalars(
        select(Room).where(Room.institution_id == institution_id, Room.active.is_(True)).order_by(Room.code))).all())


async def get_room(session: AsyncSession, room_id: str) -> Room:
    r = await session.get(Room, room_id)
    if r is None:
        raise DomainError(NOT_FOUND, what="诊室/资源")
    return r


async def create_room(session: AsyncSession, institution_id: str, *, code: str, name: str, kind: str,
                      department_id: str | None = None) -> Room:
    if kind not in codes.ROOM_KINDS:
        raise DomainError(errors.ROOM_KIND)
    if department_id:
        dep = await get_department(session, department_id)
        if dep.institution_id != institution_id:
            raise DomainError(errors.DEPARTMENT_OTHER_INSTITUTION)
    if await session.scalar(select(Room.id).where(Room.institution_id == institution_id, Room.code == code)):
        raise DomainError(errors.ROOM_CODE_TAKEN)
    room = Room(institution_id=institution_id, department_id=department_id, code=code, name=name, kind=kind)
    session.add(room)
    await session.flush()
    return room


# ---- practitioners ----

@dataclass(frozen=True)
class PractitionerInput:
    name: str
    sex: str
    kind: str
    licence_no: str
    title: str
    practice_start: date
    licence_valid_until: date | None = None
    department_id: str | None = None


async def get_practitioner(session: AsyncSession, practitioner_id: str) -> Practitioner:
    p = await session.get(Practitioner, practitioner_id)
    if p is None:
        raise DomainError(NOT_FOUND, what="医务人员")
    return p


def check_title(kind: str, title: str) -> None:
    if kind not in codes.PRACTITIONER_KINDS:
        raise DomainError(errors.PRACTITIONER_KIND)
    if codes.title_rank(kind, title) is None:
        raise DomainError(errors.TITLE_INVALID)


async def create_practitioner(session: AsyncSession, institution_id: str, data: PractitionerInput) -> Practitioner:
    check_title(data.kind, data.title)
    await get_institution(session, institution_id)
    if await session.scalar(select(Practitioner.id).where(Practitioner.licence_no == data.licence_no)):
        raise DomainError(errors.LICENCE_TAKEN)
    p = Practitioner(name=data.name, sex=data.sex, kind=data.kind, licence_no=data.licence_no, title=data.title,
                     practice_start=data.practice_start, licence_valid_until=data.licence_valid_until,
                     registered_institution_id=institution_id)
    session.add(p)
    await session.flush()
    dep_id = None
    if data.department_id:
        dep = await get_department(session, data.department_id)
        if dep.institution_id != institution_id:
            raise DomainError(errors.DEPARTMENT_OTHER_INSTITUTION)
        dep_id = dep.id
    session.add(PractitionerRole(practitioner_id=p.id, institution_id=institution_id, department_id=dep_id,
                                 role=data.kind))
    await session.flush()
    return p


async def list_practitioners(session: AsyncSession, *, institution_id: str | None = None, kind: str | None = None,
                             department_id: str | None = None, name: str | None = None,
                             licence_no: str | None = None, offset: int = 0,
                             limit: int = 50) -> tuple[list[Practitioner], int]:
    q = select(Practitioner)
    if institution_id or department_id:
        sub = select(PractitionerRole.practitioner_id).where(PractitionerRole.active.is_(True))
        if institution_id:
            sub = sub.where(PractitionerRole.institution_id == institution_id)
        if department_id:
            sub = sub.where(PractitionerRole.department_id == department_id)
        q = q.where(Practitioner.id.in_(sub))
    if kind:
        q = q.where(Practitioner.kind == kind)
    if name:
        q = q.where(Practitioner.name.contains(name, autoescape=True))
    if licence_no:
        q = q.where(Practitioner.licence_no == licence_no)
    return await _page(session, q.order_by(Practitioner.kind, Practitioner.name, Practitioner.id), offset, limit)


async def roles_of(session: AsyncSession, practitioner_ids: list[str]) -> dict[str, list[PractitionerRole]]:
    out: dict[str, list[PractitionerRole]] = {pid: [] for pid in practitioner_ids}
    if practitioner_ids:
        for r in (await session.scalars(select(PractitionerRole).where(
                PractitionerRole.practitioner_id.in_(practitioner_ids)))).all():
            out[r.practitioner_id].append(r)
    return out


async def list_roles(session: AsyncSession, *, institution_id: str | None = None, practitioner_id: str | None = None,
                     department_id: str | None = None, offset: int = 0,
                     limit: int = 50) -> tuple[list[PractitionerRole], int]:
    q = select(PractitionerRole).where(PractitionerRole.active.is_(True))
    if institution_id:
        q = q.where(PractitionerRole.institution_id == institution_id)
    if practitioner_id:
        q = q.where(PractitionerRole.practitioner_id == practitioner_id)
    if department_id:
        q = q.where(PractitionerRole.department_id == department_id)
    return await _page(session, q.order_by(PractitionerRole.id), offset, limit)


async def get_role(session: AsyncSession, role_id: str) -> PractitionerRole:
    r = await session.get(PractitionerRole, role_id)
    if r is None:
        raise DomainError(NOT_FOUND, what="执业角色")
    return r


async def credentials_of(session: AsyncSession, practitioner_ids: list[str]) -> dict[str, list[Credential]]:
    out: dict[str, list[Credential]] = {pid: [] for pid in practitioner_ids}
    if practitioner_ids:
        for c in (await session.scalars(select(Credential).where(Credential.practitioner_id.in_(practitioner_ids))
                                        .order_by(Credential.issued_on))).all():
            out[c.practitioner_id].append(c)
    return out


async def add_credential(session: AsyncSession, practitioner_id: str, *, kind: str, number: str, issued_on: date,
                         expires_on: date | None, issuer: str = "") -> Credential:
    await get_practitioner(session, practitioner_id)
    if kind not in codes.CREDENTIAL_KINDS:
        raise DomainError(errors.CREDENTIAL_KIND)
    if expires_on is not None and expires_on < issued_on:
        raise DomainError(errors.CREDENTIAL_DATES)
    c = Credential(practitioner_id=practitioner_id, kind=kind, number=number, issued_on=issued_on,
                   expires_on=expires_on, issuer=issuer)
    session.add(c)
    await session.flush()
    return c


def credential_valid_on(c: Credential, day: date) -> bool:
    return not c.revoked and c.issued_on <= day and (c.expires_on is None or c.expires_on >= day)


async def set_suspension(session: AsyncSession, practitioner_id: str, *, suspended: bool,
                         reason: str | None) -> Practitioner:
    p = await get_practitioner(session, practitioner_id)
    p.suspended = suspended
    p.suspended_reason = reason if suspended else None
    p.suspended_at = utcnow() if suspended else None
    await session.flush()
    return p


def years_of_practice(p: Practitioner, day: date) -> int:
    s = p.practice_start
    return day.year - s.year - ((day.month, day.day) < (s.month, s.day))
