"""A small region for the FHIR tests: a medical group, two institutions, rooms, staff, residents, patients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from yihu.auth.models import Account
from yihu.registry import directory
from yihu.registry import service as registry
from yihu.registry.models import Department, Institution, MedicalGroup, Practitioner, Room

JSON = "application/fhir+json"


@dataclass
class Region:
    group: MedicalGroup
    hospital: Institution
    clinic: Institution
    cardiology: Department
    ct_room: Room
    consulting_room: Room
    doctor: Practitioner
    nurse: Practitioner
    resident: Account
    other_resident: Account
    resident_id_number: str
    resident_phone: str
    hospital_doctor: Account
    clinic_nurse: Account
    regulator: Account
    extra_patient_ids: list[str]


async def seed(session: AsyncSession, *, extra_patients: int = 0) -> Region:
    group = MedicalGroup(code="G001", name="秀洲区城市医疗集团", kind="city_medical_group")
    session.add(group)
    await session.flush()
    hospital = await b.institution(session, code="H0001", name="嘉兴市第一医院", kind="tertiary_a",
                                   address="嘉兴市南湖区中环南路1882号", phone="0573-82079999", group_id=group.id)
    clinic = await b.institution(session, code="C0002", name="新城社区卫生服务中心", kind="chc", group_id=group.id)
    group.lead_institution_id = hospital.id
    cardiology = await directory.create_department(session, hospital.id, "03.04")
    ct_room = await directory.create_room(session, hospital.id, code="CT1", name="CT一室", kind="ct")
    consulting_room = await directory.create_room(session, hospital.id, code="R101", name="心内科一诊室",
                                                  kind="consulting", department_id=cardiology.id)
    doctor = await b.practitioner(session, hospital, kind="doctor", title="chief_physician", name="欧阳明辉",
                                  department_id=cardiology.id)
    nurse = await b.practitioner(session, clinic, kind="nurse", title="senior_nurse", name="李秀英")
    await directory.add_credential(session, nurse.id, kind="picc", number="PICC-2020-001", issuer="浙江省护理学会",
                                   issued_on=date(2020, 5, 1), expires_on=date(2030, 4, 30))
    resident_id_number = "33040219850615059X"
    resident_phone = "13912345678"
    resident = await b.resident(session, name="张三明", id_no=resident_id_number, phone_number=resident_phone)
    other = await b.resident(session, name="王五", female=True, born=date(1990, 2, 3))
    await registry.link(session, resident.patient_id or "", clinic.id, "visit")
    extra: list[str] = []
    for i in range(extra_patients):
        acc = await b.resident(session, name="陈" + "一二三四五六七八九十"[i % 10] + "华", born=date(1970 + i, 1, 9))
        await registry.link(session, acc.patient_id or "", clinic.id, "visit")
        extra.append(acc.patient_id or "")
    hospital_doctor = await b.staff(session, role="doctor", inst=hospital)
    clinic_nurse = await b.staff(session, role="nurse", inst=clinic)
    regulator = await b.staff(session, role="regulator", inst=None)
    await b.done(session)
    return Region(group, hospital, clinic, cardiology, ct_room, consulting_room, doctor, nurse, resident, other,
                  resident_id_number, resident_phone, hospital_doctor, clinic_nurse, regulator, extra)


def strict(model: type[Any], body: dict[str, Any]) -> Any:
    """Parse a response body with fhirclient's strict R4 models: any unknown or mistyped element raises."""
    return model(body, strict=True)
