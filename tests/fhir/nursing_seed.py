"""Home-nursing data for the FHIR tests: orders placed, assessed, accepted and assigned through the real services,
the consent signed and the record written through the visit services; depart, check-in and check-out are taken
with ``lifecycle.step`` directly so that their times are fixed (tomorrow 09:05, 09:32, 10:10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from tests.nursing import builders as nb
from yihu.auth.models import Account
from yihu.auth.service import actor_of
from yihu.nursing import assignment, catalogue, lifecycle, orders, records, visit_consent
from yihu.nursing.models import NursingItem, NursingOffering, NursingOrder
from yihu.nursing.visit_models import NursingConsent, NursingRecord
from yihu.nursing.visit_schemas import Assessment, RecordIn, Vitals, Wound, WoundSize
from yihu.registry.models import Institution

VITALS = Vitals(temperature_c=36.8, pulse_bpm=78, respiration_per_min=18, systolic_mmhg=128, diastolic_mmhg=82,
                spo2_percent=97, glucose_mmol_l=6.2)
ASSESSMENT = Assessment(wound=Wound(site="右膝术后切口", size_cm=WoundSize(length=6, width=0.5), exudate="none",
                                    granulation="epithelialising"), text="切口愈合良好")


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
    consent = await visit_consent.sign(session, resident, o, signer_name="张小明", relation="child",
                                       signature="张小明", shown_sha256=None)
    await lifecycle.step(session, o, "depart", nurse, departed_at=nb.at(day, "09:05"))
    await lifecycle.step(session, o, "check_in", nurse, checked_in_at=nb.at(day, "09:32"), checkin_distance_m=40)
    record = await records.write(session, nurse, o, RecordIn(
        vitals=VITALS, assessment=ASSESSMENT, actions="碘伏消毒切口，更换无菌敷料", advice="保持敷料干燥，3天后复查",
        next_visit_on=day + timedelta(days=3)))
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
