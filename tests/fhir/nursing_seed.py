"""Home-nursing data for the FHIR tests: orders driven through the real services and ``lifecycle.step``; the consent
and the record are written as rows (what the visit API will write), with the steps that go with them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from tests.nursing import builders as nb
from yihu.auth.models import Account
from yihu.auth.service import actor_of
from yihu.nursing import assignment, catalogue, lifecycle, orders
from yihu.nursing.models import NursingItem, NursingOffering, NursingOrder
from yihu.nursing.visit_models import NursingConsent, NursingRecord
from yihu.registry.models import Institution

VITALS: dict[str, Any] = {"temperature": 36.8, "pulse": 78, "respiration": 18, "systolic": 128, "diastolic": 82,
                          "spo2": 97, "glucose": "6.2"}
CONSENT_TEXT = {"content": "伤口换药：清洁、消毒、更换敷料", "process": "核对身份→评估伤口→换药→宣教",
                "fee_text": "服务费60.00元，上门服务费120.00元，耗材按实际使用计费", "risks": "可能出现疼痛、出血或感染。"}


@dataclass
class NursingWorld:
    w: nb.World
    other_inst: Institution
    other_admin: Account
    other_resident: Account
    second_item: NursingItem
    offerings: dict[str, NursingOffering]  # "main", "second", "withdrawn"
    done: NursingOrder  # consented, visited, recorded, checked out
    waiting: NursingOrder  # requested only
    cancelled: NursingOrder  # cancelled by the resident before assessment
    theirs: NursingOrder  # another resident's order at the same institution (requested)
    consent: NursingConsent
    record: NursingRecord

    @property
    def nurse_id(self) -> str:
        return self.w.nurses[0][0].id


def _input(w: nb.World, patient_id: str, start: str, end: str) -> orders.OrderInput:
    body = nb.order_body(w, start=start, end=end)
    day = nb.tomorrow()
    return orders.OrderInput(patient_id=patient_id, institution_id=w.inst.id, item_id=w.item.id,
                             address=body["address"], latitude=body["latitude"], longitude=body["longitude"],
                             day=day, window_start=nb.at(day, start), window_end=nb.at(day, end),
                             condition=body["condition"])


async def _visit(session: AsyncSession, w: nb.World, o: NursingOrder) -> tuple[NursingConsent, NursingRecord]:
    admin, nurse = actor_of(w.admin), actor_of(w.nurses[0][1])
    resident = actor_of(w.resident)
    day = nb.tomorrow()
    await orders.assess(session, admin, o, decision="approve", assessment={
        "condition": "术后第5天，伤口干燥", "need": "伤口换药", "home_environment": "电梯房，光线充足"})
    await orders.accept(session, admin, o)
    await assignment.assign(session, admin, o, nurse_id=w.nurses[0][0].id, second_nurse_id=None,
                            start=nb.at(day, "09:30"))
    signed = nb.at(day, "08:00")
    text = "\n".join(CONSENT_TEXT.values())
    consent = NursingConsent(order_id=o.id, **CONSENT_TEXT, text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                             signer_name="张小明", signer_relation="child", signature="data:image/png;base64,iVBOR",
                             nurse_id=w.nurses[0][0].id, signed_at=signed)
    session.add(consent)
    await lifecycle.step(session, o, "consent", resident)
    await lifecycle.step(session, o, "depart", nurse, departed_at=nb.at(day, "09:05"))
    await lifecycle.step(session, o, "check_in", nurse, checked_in_at=nb.at(day, "09:32"), checkin_distance_m=40)
    record = NursingRecord(order_id=o.id, patient_id=o.patient_id, institution_id=o.institution_id,
                           nurse_id=w.nurses[0][0].id, vitals=VITALS,
                           assessment={"wound": "切口愈合良好，无渗液", "pain_score": 2},
                           actions="碘伏消毒切口，更换无菌敷料", advice="保持敷料干燥，3天后复查",
                           next_visit_on=day + timedelta(days=3), signed_at=nb.at(day, "10:05"),
                           signature_sha256="a" * 64)
    session.add(record)
    await lifecycle.step(session, o, "record", nurse)
    await lifecycle.step(session, o, "complete", nurse, checked_out_at=nb.at(day, "10:10"),
                         completed_at=nb.at(day, "10:10"))
    return consent, record


async def nursing_world(session: AsyncSession) -> NursingWorld:
    w = await nb.world(session, nurses=2)
    other_inst = await b.institution(session, code="C0900", name="新塍镇卫生院")
    other_admin = await b.staff(session, role="institution_admin", inst=other_inst)
    other_resident = await b.resident(session, name="王五", female=True)
    second = await nb.item(session, code="HN902", name="PICC维护", price_fen=8000, visit_fee_fen=15000,
                           credentials=["picc"], kit=[{"consumable": "picc_kit", "count": 1}])
    offerings = {"main": await catalogue.set_offering(session, w.inst.id, w.item.id, True),
                 "second": await catalogue.set_offering(session, other_inst.id, second.id, True),
                 "withdrawn": await catalogue.set_offering(session, other_inst.id, w.item.id, False)}
    await b.done(session)
    resident = actor_of(w.resident)
    done = (await orders.place(session, resident, _input(w, w.patient_id, "09:00", "11:00")))[0]
    waiting = (await orders.place(session, resident, _input(w, w.patient_id, "14:00", "16:00")))[0]
    cancelled = (await orders.place(session, resident, _input(w, w.patient_id, "16:00", "18:00")))[0]
    theirs = (await orders.place(session, actor_of(other_resident),
                                 _input(w, other_resident.patient_id or "", "09:00", "11:00")))[0]
    await orders.cancel(session, resident, cancelled, reason="已住院", by_resident=True)
    consent, record = await _visit(session, w, done)
    await b.done(session)
    return NursingWorld(w, other_inst, other_admin, other_resident, second, offerings, done, waiting, cancelled,
                        theirs, consent, record)
