"""Inpatient stays: staff admit, post charges and discharge; residents top up deposits and query costs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from yihu.auth import policy
from yihu.auth.deps import CurrentActor, CurrentResident
from yihu.billing import admissions, payments, schemas, views
from yihu.billing.models import Admission
from yihu.kit import audit, idempotency
from yihu.kit.context import current_lang
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.registry import service as registry

router = APIRouter(tags=["billing"], route_class=CommittingRoute)
WARD_STAFF = ("doctor", "nurse", "institution_admin")


def _audit(session: SessionDep, actor: CurrentActor, adm: Admission, action: str,
           detail: dict[str, Any] | None = None) -> None:
    audit.record(session, actor, action, patient_id=adm.patient_id, resource_type="Admission", resource_id=adm.id,
                 institution_id=adm.institution_id, detail=detail)


@router.post("/institutions/{institution_id}/admissions", response_model=schemas.AdmissionOut, status_code=201,
             summary="Admit a patient (ward staff)")
async def admit(institution_id: str, body: schemas.AdmissionIn, session: SessionDep,
                actor: CurrentActor) -> schemas.AdmissionOut:
    policy.require_institution_staff(actor, institution_id, *WARD_STAFF)
    adm = await admissions.admit(session, institution_id=institution_id, patient_id=body.patient_id, ward=body.ward,
                                 bed=body.bed, department_id=body.department_id)
    _audit(session, actor, adm, "admission.create")
    return await views.admission_out(session, adm)


@router.get("/me/admissions", response_model=list[schemas.AdmissionOut],
            summary="Admissions of every patient bound to my account")
async def my_admissions(session: SessionDep, actor: CurrentResident) -> list[schemas.AdmissionOut]:
    ids = await registry.bound_patient_ids(session, actor.account_id) | {actor.patient_id or ""}
    rows = await admissions.for_patients(session, sorted(i for i in ids if i))
    for adm in rows:
        _audit(session, actor, adm, "admission.read")
    return [await views.admission_out(session, a) for a in rows]


@router.get("/admissions/{admission_id}", response_model=schemas.CostsOut,
            summary="Inpatient cost query: deposits, charges and the balance")
async def costs(admission_id: str, session: SessionDep, actor: CurrentActor) -> schemas.CostsOut:
    adm = await admissions.get(session, admission_id)
    await policy.require_record(session, actor, patient_id=adm.patient_id, institution_id=adm.institution_id)
    c = await admissions.costs(session, adm)
    _audit(session, actor, adm, "admission.costs.read")
    return schemas.CostsOut(admission=await views.admission_out(session, adm), deposits_fen=c.deposits_fen,
                            charges_fen=c.charges_fen, balance_fen=c.balance_fen,
                            deposits=await views.bills_out(session, c.deposits),
                            charges=[views.charge_out(x) for x in c.charges])


@router.post("/admissions/{admission_id}/charges", response_model=schemas.ChargeOut, status_code=201,
             summary="Post a cost line (ward staff)")
async def add_charge(admission_id: str, body: schemas.ChargeIn, session: SessionDep,
                     actor: CurrentActor) -> schemas.ChargeOut:
    adm = await admissions.get(session, admission_id)
    policy.require_institution_staff(actor, adm.institution_id, *WARD_STAFF)
    charge = await admissions.add_charge(session, adm, item=body.item, quantity=body.quantity, unit_fen=body.unit_fen,
                                         recorded_by=actor.account_id)
    _audit(session, actor, adm, "admission.charge", {"amount_fen": charge.amount_fen})
    return views.charge_out(charge)


@router.post("/admissions/{admission_id}/discharge", response_model=schemas.AdmissionOut,
             summary="Discharge (ward staff): no more deposits or charges")
async def discharge(admission_id: str, session: SessionDep, actor: CurrentActor) -> schemas.AdmissionOut:
    adm = await admissions.get(session, admission_id)
    policy.require_institution_staff(actor, adm.institution_id, *WARD_STAFF)
    adm = await admissions.discharge(session, adm)
    _audit(session, actor, adm, "admission.discharge")
    return await views.admission_out(session, adm)


@router.post("/admissions/{admission_id}/deposits", response_model=schemas.DepositOut, status_code=201,
             summary="Top up the inpatient deposit (住院充值, Idempotency-Key required)")
async def top_up(admission_id: str, body: schemas.DepositIn, request: Request, session: SessionDep,
                 actor: CurrentResident,
                 idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> Any:
    async def action() -> tuple[int, Any]:
        adm = await admissions.get(session, admission_id)
        await policy.require_record(session, actor, patient_id=adm.patient_id, institution_id=adm.institution_id,
                                    action="change")
        bill = await admissions.top_up_bill(session, adm, amount_fen=body.amount_fen, account_id=actor.account_id)
        payment, checkout = await payments.create_payment(session, bill, channel=body.channel,
                                                          account_id=actor.account_id, card_id=body.card_id)
        _audit(session, actor, adm, "admission.deposit", {"amount_fen": body.amount_fen, "bill_id": bill.id})
        out = schemas.DepositOut(bill=(await views.bills_out(session, [bill]))[0],
                                 payment=views.payment_out(payment, checkout=checkout))
        return 201, out.model_dump(mode="json")

    code_, out, replayed = await idempotency.run(
        request.app.state.db, session, scope=f"acct:{actor.account_id}", key=idempotency_key,
        fp=idempotency.fingerprint("POST", f"/admissions/{admission_id}/deposits", body.model_dump()),
        lang=current_lang(), action=action)
    return JSONResponse(out, status_code=code_, headers={"Idempotent-Replayed": "true"} if replayed else None)
