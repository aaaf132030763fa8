"""A hospital with a lab, a family (holder, spouse with her own account, a child without one), outsiders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from yihu.auth.models import Account
from yihu.notify.models import OutboxMessage
from yihu.registry import service as registry
from yihu.registry.models import Institution
from yihu.reports.models import Report, ReportObservation

SPOUSE_PHONE = "13955550001"
CHILD_PHONE = "13955550002"


@dataclass
class Family:
    hospital: Institution
    clinic: Institution
    doctor: Account
    admin: Account
    nurse: Account
    clinic_doctor: Account
    holder: Account
    spouse: Account
    child_id: str
    outsider: Account
    regulator: Account


async def _yes(_phone: str, _code: str) -> bool:
    return True


async def family(session: AsyncSession) -> Family:
    hospital = await b.institution(session, name="嘉兴市第一医院", kind="tertiary_a")
    clinic = await b.institution(session, name="新城社区卫生服务中心")
    holder = await b.resident(session, name="张三明")
    spouse = await b.resident(session, name="李梅", female=True, born=date(1987, 3, 2), phone_number=SPOUSE_PHONE,
                              id_no=b.id_number(date(1987, 3, 2), female=True))
    spouse_patient = await registry.get_patient(session, spouse.patient_id or "")
    await registry.bind(session, account_id=holder.id, holder_patient_id=holder.patient_id, consent=_yes,
                        req=registry.BindRequest(card_type="insurance", card_number="INS20260001", relation="spouse",
                                                 name=spouse_patient.name,
                                                 id_number=registry.id_number_of(spouse_patient),
                                                 verification_code="123456"))
    child_idn = b.id_number(date(2019, 8, 1))
    _card, child = await registry.bind(
        session, account_id=holder.id, holder_patient_id=holder.patient_id,
        req=registry.BindRequest(card_type="insurance", card_number="INS20260002", relation="child", name="张小宝",
                                 id_number=child_idn, phone=CHILD_PHONE, guardian_consent=True))
    return Family(
        hospital=hospital, clinic=clinic, doctor=await b.staff(session, role="doctor", inst=hospital),
        admin=await b.staff(session, role="institution_admin", inst=hospital),
        nurse=await b.staff(session, role="nurse", inst=hospital),
        clinic_doctor=await b.staff(session, role="doctor", inst=clinic), holder=holder, spouse=spouse,
        child_id=child.id, outsider=await b.resident(session, name="王五"),
        regulator=await b.staff(session, role="regulator", inst=None))


def cbc(patient_id: str, **over: Any) -> dict[str, Any]:
    """A complete blood count (血常规) with one high, one low and two normal values."""
    body: dict[str, Any] = {
        "patient_id": patient_id, "kind": "lab", "code": "58410-2", "code_system": "loinc", "title": "血常规",
        "effective_at": "2026-11-20T08:30:00+08:00",
        "observations": [
            {"code": "6690-2", "code_system": "loinc", "display": "白细胞计数", "value": "12.60", "unit": "10^9/L",
             "low": "3.5", "high": "9.5"},
            {"code": "718-7", "code_system": "loinc", "display": "血红蛋白", "value": 98, "unit": "g/L",
             "low": 115, "high": 150},
            {"code": "777-3", "code_system": "loinc", "display": "血小板计数", "value": 210, "unit": "10^9/L",
             "low": 125, "high": 350},
            {"code": "HBSAG", "display": "乙肝表面抗原", "value_text": "阴性", "reference_text": "阴性",
             "abnormal": False},
        ],
    }
    body.update(over)
    return body


def chest_ct(patient_id: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "patient_id": patient_id, "kind": "imaging", "code": "CT-CHEST", "title": "胸部CT平扫",
        "effective_at": "2026-11-21T14:00:00+08:00", "modality": "CT", "body_site": "胸部",
        "conclusion": "右肺上叶见一约4mm磨玻璃结节，建议12个月后复查。"}
    body.update(over)
    return body


async def counts(session: AsyncSession) -> tuple[int, int, int]:
    """(reports, observations, outbox messages): a refused request changes none of them."""
    out = []
    for model in (Report, ReportObservation, OutboxMessage):
        out.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    return out[0], out[1], out[2]
