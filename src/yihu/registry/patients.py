"""One patient record per person across the region, found by the blind index of the ID number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.db import new_id, utcnow
from yihu.errors import NOT_FOUND, DomainError
from yihu.kit import clock
from yihu.kit.crypto import mask_id_number, mask_phone
from yihu.kit.vault import vault
from yihu.registry import errors
from yihu.registry.idcard import IdentityNumber
from yihu.registry.models import Card, Patient, PatientLink


def id_index(id_number: str) -> str:
    return vault().index("id_number", id_number)


def phone_index(phone: str) -> str:
    return vault().index("phone", phone)


async def find_by_id_number(session: AsyncSession, id_number: str) -> Patient | None:
    found: Patient | None = await session.scalar(select(Patient).where(Patient.id_number_bidx == id_index(id_number)))
    return found


async def get(session: AsyncSession, patient_id: str) -> Patient:
    p = await session.get(Patient, patient_id)
    if p is None:
        raise DomainError(NOT_FOUND, what="患者")
    return p


def new_patient(*, name: str, idn: IdentityNumber, phone: str | None, address: str = "",
                latitude: float | None = None, longitude: float | None = None, row_id: str | None = None) -> Patient:
    v = vault()
    pid = row_id or new_id()
    return Patient(
        id=pid,
        name=name,
        sex=idn.sex,
        birth_date=idn.birth_date,
        id_number_enc=v.seal(idn.value, "patient", "id_number", pid),
        id_number_bidx=v.index("id_number", idn.value),
        phone_enc=v.seal(phone, "patient", "phone", pid) if phone else None,
        phone_bidx=v.index("phone", phone) if phone else None,
        address=address,
        latitude=latitude,
        longitude=longitude,
    )


async def get_or_create(session: AsyncSession, *, name: str, idn: IdentityNumber, phone: str | None = None) -> tuple[
        Patient, bool]:
    """The region's record of this person; the name must match the one already registered."""
    existing = await find_by_id_number(session, idn.value)
    if existing is not None:
        if existing.name != name:
            raise DomainError(errors.NAME_MISMATCH)
        if phone and existing.phone_enc is None:
            set_phone(existing, phone)
        return existing, False
    p = new_patient(name=name, idn=idn, phone=phone)
    session.add(p)
    await session.flush()
    return p, True


def set_phone(p: Patient, phone: str) -> None:
    v = vault()
    p.phone_enc = v.seal(phone, "patient", "phone", p.id)
    p.phone_bidx = v.index("phone", phone)


def id_number_of(p: Patient) -> str:
    return vault().open(p.id_number_enc, "patient", "id_number", p.id)


def phone_of(p: Patient) -> str | None:
    return vault().open(p.phone_enc, "patient", "phone", p.id) if p.phone_enc else None


def age_of(p: Patient, today: date | None = None) -> int:
    today = today or clock.today()
    b = p.birth_date
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


@dataclass(frozen=True)
class PatientView:
    id: str
    name: str
    sex: str
    birth_date: date
    age: int
    id_number: str
    phone: str | None
    address: str
    revealed: bool

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def view(p: Patient, *, reveal: bool = False) -> PatientView:
    idn = id_number_of(p)
    phone = phone_of(p)
    return PatientView(
        id=p.id, name=p.name, sex=p.sex, birth_date=p.birth_date, age=age_of(p),
        id_number=idn if reveal else mask_id_number(idn),
        phone=(phone if reveal else mask_phone(phone)) if phone else None,
        address=p.address, revealed=reveal,
    )


# ---- scope queries used by the access policy ----

async def bound_patient_ids(session: AsyncSession, account_id: str) -> set[str]:
    rows = await session.scalars(select(Card.patient_id).where(Card.account_id == account_id, Card.status == "active"))
    return set(rows.all())


def ids_bound_to_account(account_id: str, own_patient_id: str | None) -> Select[tuple[str]]:
    """A sub-select of the ids of the holder's own patient and every patient bound by a card."""
    return select(Patient.id).where(bound_to_account(account_id, own_patient_id))


_NAME = select(Patient.name).where(Patient.id == bindparam("b_patient"))


async def name_of(session: AsyncSession, patient_id: str) -> str:
    name = await session.scalar(_NAME, {"b_patient": patient_id})
    if name is None:
        raise DomainError(NOT_FOUND, what="患者")
    return str(name)


async def names_of(session: AsyncSession, patient_ids: list[str]) -> dict[str, str]:
    """Patients' names in one query (a console showing a whole queue)."""
    if not patient_ids:
        return {}
    rows = (await session.execute(select(Patient.id, Patient.name).where(Patient.id.in_(patient_ids)))).tuples()
    return {pid: name for pid, name in rows.all()}


async def card_holder_account_ids(session: AsyncSession, patient_id: str) -> set[str]:
    """Accounts that have this patient bound by an active card (the inverse of ``bound_patient_ids``)."""
    rows = await session.scalars(select(Card.account_id).where(Card.patient_id == patient_id, Card.status == "active"))
    return set(rows.all())


_LINKED = select(PatientLink.id).where(PatientLink.patient_id == bindparam("b_patient"),
                                      PatientLink.institution_id == bindparam("b_institution"))


async def is_linked(session: AsyncSession, patient_id: str, institution_id: str) -> bool:
    row = await session.scalar(_LINKED, {"b_patient": patient_id, "b_institution": institution_id})
    return row is not None


def linked_to_institution(institution_id: str) -> ColumnElement[bool]:
    return Patient.id.in_(select(PatientLink.patient_id).where(PatientLink.institution_id == institution_id))


def bound_to_account(account_id: str, own_patient_id: str | None) -> ColumnElement[bool]:
    cond: ColumnElement[bool] = Patient.id.in_(
        select(Card.patient_id).where(Card.account_id == account_id, Card.status == "active"))
    if own_patient_id:
        cond = cond | (Patient.id == own_patient_id)
    return cond


async def link(session: AsyncSession, patient_id: str, institution_id: str, reason: str) -> None:
    """Record that the patient is known to an institution (idempotent)."""
    if not await is_linked(session, patient_id, institution_id):
        session.add(PatientLink(patient_id=patient_id, institution_id=institution_id, reason=reason, created_at=utcnow()))
        await session.flush()


async def search(session: AsyncSession, scope: ColumnElement[bool] | None, *, name: str | None = None,
                 id_number: str | None = None, institution_id: str | None = None, offset: int = 0,
                 limit: int = 20) -> tuple[list[Patient], int]:
    q = select(Patient)
    if scope is not None:
        q = q.where(scope)
    if name:
        q = q.where(Patient.name.contains(name, autoescape=True))
    if id_number:
        q = q.where(Patient.id_number_bidx == id_index(id_number))
    if institution_id:
        q = q.where(linked_to_institution(institution_id))
    total = int(await session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = (await session.scalars(q.order_by(Patient.name, Patient.id).offset(offset).limit(limit))).all()
    return list(rows), total
