"""``POST /triage``: symptoms in, ranked departments with reasons and free slots out. The text is not stored or
logged, and travels in the body (never in a URL)."""

from __future__ import annotations

from fastapi import APIRouter

from yihu.auth import policy
from yihu.auth.deps import CurrentResident
from yihu.kit import audit, clock
from yihu.kit.context import current_lang
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.registry import service as registry
from yihu.registry.codes import CLINICAL_SUBJECTS
from yihu.triage import engine, schemas, slots

router = APIRouter(tags=["triage"], route_class=CommittingRoute)
SLOTS_PER_SUGGESTION = 5

ADVICE = {
    "emergency": ("您描述的症状可能危及生命，请立即前往急诊或拨打120，不要等待预约。",
                  "These symptoms may be life-threatening: go to an emergency department or call 120 now; "
                  "do not wait for an appointment."),
    "ranked": ("根据您描述的症状，建议就诊以下科室（仅供参考，不能代替医生诊断）。",
               "From the symptoms you describe, these departments are suggested (a guide, not a diagnosis)."),
    "unknown": ("未能识别出具体症状，建议先到全科（或儿科）就诊，由医生判断。",
                "No symptom was recognised; start with general practice (or paediatrics) and let a doctor decide."),
}


def _pick(key: str) -> str:
    zh, en = ADVICE[key]
    return en if current_lang() == "en" else zh


@router.post("/triage", response_model=schemas.TriageOut,
             summary="Smart triage: suggested departments with the matched terms and their free slots")
async def triage(body: schemas.TriageIn, session: SessionDep, actor: CurrentResident) -> schemas.TriageOut:
    age = sex = None
    if body.patient_id is not None:
        await policy.require_patient(session, actor, body.patient_id, "read")
        patient = await registry.get_patient(session, body.patient_id)
        age, sex = registry.view(patient).age, patient.sex
        audit.record(session, actor, "triage.patient_hints", patient_id=patient.id, resource_type="Patient",
                     resource_id=patient.id)
    if body.institution_id is not None:
        await registry.get_institution(session, body.institution_id)
    result = engine.triage(body.text, age=age, sex=sex)
    en = current_lang() == "en"
    now = clock.now()
    out = []
    for s in result.suggestions:
        deps = await slots.departments_for(session, s.code, body.institution_id)
        free = await slots.free_slots(session, deps, now, SLOTS_PER_SUGGESTION)
        zh_name, en_name = CLINICAL_SUBJECTS.get(s.code, (s.code, s.code))
        out.append(schemas.SuggestionOut(
            code=s.code, name=en_name if en else zh_name, score=s.score, reasons=list(s.reasons),
            emergency=s.emergency,
            departments=[schemas.DepartmentOut(id=d.id, name=d.name, institution_id=d.institution_id) for d in deps],
            slots=[schemas.SlotOut(**f.__dict__) for f in free]))
    advice = "emergency" if result.emergency else "ranked" if result.recognised else "unknown"
    return schemas.TriageOut(
        recognised=result.recognised, emergency=result.emergency, advice=_pick(advice), hints=list(result.hints),
        matched=[schemas.MatchOut(term=m.term, symptom=m.symptom.label) for m in result.matches], suggestions=out)
