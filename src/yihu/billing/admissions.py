"""Inpatient stays: deposits (住院充值) paid through the payment service, charges, and the balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import errors
from yihu.billing.models import Admission, AdmissionCharge, Bill
from yihu.billing.payments import BillInput, open_bill
from yihu.db import new_id, utcnow
from yihu.errors import FORBIDDEN, DomainError
from yihu.registry import service as registry

DEPOSIT_MIN_FEN = 100
DEPOSIT_MAX_FEN = 10_000_000


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def reference(admission_id: str) -> str:
    return f"admission:{admission_id}"


@dataclass(frozen=True)
class Costs:
    deposits_fen: int
    charges_fen: int
    balance_fen: int
    deposits: list[Bill]
    charges: list[AdmissionCharge]


async def admit(session: AsyncSession, *, institution_id: str, patient_id: str, ward: str, bed: str = "",
                department_id: str | None = None, now: datetime | None = None) -> Admission:
    await registry.get_patient(session, patient_id)
    if not await registry.patient_is_linked(session, patient_id, institution_id):
        # Admission follows an outpatient contact (visit card, appointment): staff cannot reach strangers.
        raise DomainError(FORBIDDEN)
    if department_id is not None:
        dep = await registry.get_department(session, department_id)
        if dep.institution_id != institution_id:
            raise DomainError(errors.ADMISSION_NOT_FOUND)
    adm = Admission(id=new_id(), patient_id=patient_id, institution_id=institution_id, department_id=department_id,
                    ward=ward, bed=bed, admitted_at=now or utcnow())
    session.add(adm)
    await session.flush()
    await registry.link(session, patient_id, institution_id, "admission")
    return adm


async def get(session: AsyncSession, admission_id: str) -> Admission:
    adm = await session.get(Admission, admission_id)
    if adm is None:
        raise DomainError(errors.ADMISSION_NOT_FOUND)
    return adm


async def for_patients(session: AsyncSession, patient_ids: list[str]) -> list[Admission]:
    if not patient_ids:
        return []
    return list((await session.scalars(select(Admission).where(Admission.patient_id.in_(patient_ids))
                                       .order_by(Admission.admitted_at.desc()).limit(50))).all())


def _open(adm: Admission) -> None:
    if adm.discharged_at is not None:
        raise DomainError(errors.ADMISSION_CLOSED)


async def add_charge(session: AsyncSession, adm: Admission, *, item: str, quantity: int, unit_fen: int,
                     recorded_by: str | None) -> AdmissionCharge:
    _open(adm)
    if quantity <= 0 or unit_fen <= 0:
        raise DomainError(errors.AMOUNT_INVALID)
    charge = AdmissionCharge(id=new_id(), admission_id=adm.id, item=item[:128], quantity=quantity, unit_fen=unit_fen,
                             amount_fen=quantity * unit_fen, charged_at=utcnow(), recorded_by=recorded_by)
    session.add(charge)
    await session.flush()
    return charge


async def discharge(session: AsyncSession, adm: Admission, now: datetime | None = None) -> Admission:
    done = await session.execute(update(Admission).where(Admission.id == adm.id, Admission.discharged_at.is_(None))
                                 .values(discharged_at=now or utcnow()).execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(errors.ADMISSION_CLOSED)
    await session.refresh(adm)
    return adm


async def top_up_bill(session: AsyncSession, adm: Admission, *, amount_fen: int, account_id: str | None) -> Bill:
    """A deposit is a bill of kind ``deposit``; it is paid like any other bill."""
    _open(adm)
    if not DEPOSIT_MIN_FEN <= amount_fen <= DEPOSIT_MAX_FEN:
        raise DomainError(errors.DEPOSIT_AMOUNT, low=_yuan(DEPOSIT_MIN_FEN), high=_yuan(DEPOSIT_MAX_FEN))
    return await open_bill(session, BillInput(kind="deposit", patient_id=adm.patient_id,
                                              institution_id=adm.institution_id, amount_fen=amount_fen,
                                              reference=reference(adm.id), description=f"住院预交金 {adm.ward}",
                                              account_id=account_id))


async def costs(session: AsyncSession, adm: Admission) -> Costs:
    deposits = list((await session.scalars(select(Bill).where(Bill.kind == "deposit",
                                                              Bill.reference == reference(adm.id))
                                           .order_by(Bill.created_at))).all())
    charges = list((await session.scalars(select(AdmissionCharge).where(AdmissionCharge.admission_id == adm.id)
                                          .order_by(AdmissionCharge.charged_at))).all())
    paid = sum(b.paid_fen - b.refunded_fen for b in deposits)
    charged = sum(c.amount_fen for c in charges)
    return Costs(deposits_fen=paid, charges_fen=charged, balance_fen=paid - charged, deposits=deposits,
                 charges=charges)
