from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from tests import builders as b
from yihu.kit import clock
from yihu.registry import directory
from yihu.scheduling import schedules
from yihu.scheduling.exams import ExamOrder


async def ct_schedule(session, inst, *, direct_booking: bool):
    dep = await b.department(session, inst, code="32.02")
    room = await directory.create_room(session, inst.id, code=f"CT{b.unique()}", name="CT室", kind="ct",
                                       department_id=dep.id)
    day = clock.local_date(clock.now()) + timedelta(days=2)
    sched = await schedules.create(session, inst.id, schedules.ScheduleInput(
        kind="exam", name="上腹部CT", fee_fen=32000, slot_minutes=20, department_id=dep.id, room_id=room.id,
        capacity_per_slot=2, direct_booking=direct_booking, preparation="检查前4小时禁食禁水",
        sessions=[schedules.SessionInput(weekday=day.weekday(), period="morning", start="08:00", end="09:00")]))
    await schedules.generate(session, sched, day, day)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    return sched, rows[0][0]


def k() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def test_an_exam_needs_the_doctors_order_and_shows_its_preparation(client, session):
    inst = await b.institution(session, kind="secondary")
    other_inst = await b.institution(session)
    doctor = await b.staff(session, role="doctor", inst=inst)
    other_doctor = await b.staff(session, role="doctor", inst=other_inst)
    holder = await b.resident(session)
    sched, slot = await ct_schedule(session, inst, direct_booking=False)
    await b.done(session)
    h = b.auth(holder)
    r = await client.post("/api/v1/appointments", headers={**h, **k()},
                          json={"slot_id": slot.id, "patient_id": holder.patient_id})
    assert (r.status_code, r.json()["code"]) == (422, "booking.exam_needs_order")

    # the doctor may order only for a patient known to the institution
    body = {"patient_id": holder.patient_id, "kind": "ct", "body_site": "上腹部", "reason": "腹痛待查"}
    r = await client.post(f"/api/v1/institutions/{inst.id}/exam-orders", headers=b.auth(doctor), json=body)
    assert r.status_code == 403
    from yihu.registry import service as registry

    await registry.link(session, holder.patient_id, inst.id, "visit")
    await b.done(session)
    r = await client.post(f"/api/v1/institutions/{inst.id}/exam-orders", headers=b.auth(other_doctor), json=body)
    assert r.status_code == 403
    r = await client.post(f"/api/v1/institutions/{inst.id}/exam-orders", headers=b.auth(doctor), json=body)
    assert r.status_code == 201 and r.json()["kind_label"] == "CT检查" and r.json()["status"] == "ordered"
    order_id = r.json()["id"]
    assert [o["id"] for o in (await client.get("/api/v1/me/exam-orders", headers=h)).json()] == [order_id]

    r = await client.post("/api/v1/appointments", headers={**h, **k()},
                          json={"slot_id": slot.id, "patient_id": holder.patient_id, "exam_order_id": order_id})
    assert r.status_code == 201, r.text
    assert r.json()["preparation"] == "检查前4小时禁食禁水" and r.json()["kind"] == "exam"
    appt_id = r.json()["id"]
    order = await session.get(ExamOrder, order_id, populate_existing=True)
    assert (order.status, order.appointment_id) == ("booked", appt_id)

    # an order books once; cancelling gives it back
    r = await client.post("/api/v1/appointments", headers={**h, **k()},
                          json={"slot_id": slot.id, "patient_id": holder.patient_id, "exam_order_id": order_id})
    assert r.status_code == 409
    assert (await client.post(f"/api/v1/appointments/{appt_id}/cancel", headers=h)).status_code == 200
    await session.rollback()
    order = (await session.scalars(select(ExamOrder))).one()
    assert (order.status, order.appointment_id) == ("ordered", None)


async def test_an_order_is_for_its_patient_and_kind(client, session):
    inst = await b.institution(session, kind="secondary")
    doctor = await b.staff(session, role="doctor", inst=inst)
    holder, other = await b.resident(session), await b.resident(session)
    sched, slot = await ct_schedule(session, inst, direct_booking=False)
    from yihu.registry import service as registry

    for p in (holder, other):
        await registry.link(session, p.patient_id, inst.id, "visit")
    await b.done(session)
    r = await client.post(f"/api/v1/institutions/{inst.id}/exam-orders", headers=b.auth(doctor),
                          json={"patient_id": holder.patient_id, "kind": "ultrasound"})
    wrong_kind = r.json()["id"]
    r = await client.post("/api/v1/appointments", headers={**b.auth(holder), **k()},
                          json={"slot_id": slot.id, "patient_id": holder.patient_id, "exam_order_id": wrong_kind})
    assert (r.status_code, r.json()["code"]) == (422, "exam.order_mismatch")
    r = await client.post("/api/v1/appointments", headers={**b.auth(other), **k()},
                          json={"slot_id": slot.id, "patient_id": other.patient_id, "exam_order_id": wrong_kind})
    assert (r.status_code, r.json()["code"]) == (422, "exam.order_mismatch")


async def test_direct_booking_where_the_institution_allows_it(client, session):
    inst = await b.institution(session, kind="secondary")
    holder = await b.resident(session)
    sched, slot = await ct_schedule(session, inst, direct_booking=True)
    await b.done(session)
    r = await client.post("/api/v1/appointments", headers={**b.auth(holder), **k()},
                          json={"slot_id": slot.id, "patient_id": holder.patient_id})
    assert r.status_code == 201 and r.json()["fee_fen"] == 32000
