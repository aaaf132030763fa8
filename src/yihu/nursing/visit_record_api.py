"""The nursing record: written and signed by the nurse, read by the patient's family, hospital and regulator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from yihu.auth import policy
from yihu.auth.deps import CurrentActor
from yihu.kit import audit
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.nursing import access, orders, records
from yihu.nursing import visit_schemas as s

router = APIRouter(tags=["nursing record"], route_class=CommittingRoute)


@router.post("/nursing/orders/{order_id}/record", response_model=s.RecordOut, status_code=status.HTTP_201_CREATED,
             summary="Write and sign the nursing record (in service → recorded)")
async def write_record(order_id: str, body: s.RecordIn, session: SessionDep, actor: CurrentActor) -> s.RecordOut:
    order = await orders.get(session, order_id)
    await access.require_order(session, actor, order, "nurse")
    row = await records.write(session, actor, order, body)
    return (await records.views(session, [row]))[0]


@router.get("/nursing/orders/{order_id}/record", response_model=s.RecordOut, summary="The record of a visit")
async def get_record(order_id: str, session: SessionDep, actor: CurrentActor) -> s.RecordOut:
    row = await records.of_order(session, order_id)
    await policy.require_patient(session, actor, row.patient_id, "read")
    audit.record(session, actor, "nursing.record_read", patient_id=row.patient_id, resource_type="NursingRecord",
                 resource_id=row.id, institution_id=row.institution_id)
    return (await records.views(session, [row]))[0]


@router.post("/nursing/records/{record_id}/entered-in-error", response_model=s.RecordOut,
             summary="Mark a record entered-in-error with a reason (its nurse or the institution's admin)")
async def mark_in_error(record_id: str, body: s.ReasonIn, session: SessionDep, actor: CurrentActor) -> s.RecordOut:
    row = await records.get(session, record_id)
    row = await records.mark_in_error(session, actor, row, body.reason)
    return (await records.views(session, [row]))[0]


@router.get("/patients/{patient_id}/nursing-records", response_model=list[s.RecordOut],
            summary="A patient's nursing records (resident bound, staff of linked institutions, regulator)")
async def patient_records(patient_id: str, session: SessionDep, actor: CurrentActor,
                          limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[s.RecordOut]:
    await policy.require_patient(session, actor, patient_id, "read")
    rows = await records.of_patient(session, patient_id, limit)
    audit.record(session, actor, "nursing.records_read", patient_id=patient_id, resource_type="NursingRecord",
                 detail={"count": len(rows)})
    return await records.views(session, rows)
