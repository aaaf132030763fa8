"""Reports: an institution publishes, amends or withdraws; residents, staff and the regulator read in scope.

There is no DELETE: a report is amended (a new version) or marked entered-in-error, never removed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.auth.deps import CurrentActor
from yihu.kit import audit
from yihu.kit.context import current_lang
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.registry import service as registry
from yihu.reports import codes, schemas, service
from yihu.reports.models import Report, ReportObservation

router = APIRouter(tags=["reports"], route_class=CommittingRoute)
PUBLISHERS = ("doctor", "institution_admin")


def _content(body: schemas.ContentIn, kind: str) -> service.ReportInput:
    return service.ReportInput(
        kind=kind, code=body.code, code_system=body.code_system, title=body.title, effective_at=body.effective_at,
        conclusion=body.conclusion, modality=body.modality, body_site=body.body_site,
        appointment_id=body.appointment_id,
        observations=[service.ObservationInput(**o.model_dump()) for o in body.observations])


async def _summary(session: SessionDep, r: Report) -> schemas.ReportSummary:
    patient = await registry.get_patient(session, r.patient_id)
    inst = await registry.get_institution(session, r.institution_id)
    return schemas.ReportSummary(
        id=r.id, version=r.version, kind=r.kind, code=r.code, code_system=r.code_system, title=r.title,
        status=r.status, patient_id=r.patient_id, patient_name=patient.name, institution_id=r.institution_id,
        institution_name=inst.name, effective_at=r.effective_at, published_at=r.published_at,
        abnormal_count=r.abnormal_count, superseded=r.current_of is None)


def _observation(o: ReportObservation) -> schemas.ObservationOut:
    label = codes.FLAGS.get(o.flag or "")
    return schemas.ObservationOut(
        id=o.id, code=o.code, code_system=o.code_system, display=o.display, value=o.value_num, unit=o.unit,
        value_text=o.value_text, low=o.low, high=o.high, reference_text=o.reference_text, flag=o.flag,
        flag_label=(label[1] if current_lang() == "en" else label[0]) if label else None)


async def _detail(session: SessionDep, r: Report) -> schemas.ReportOut:
    summary = await _summary(session, r)
    obs = (await service.observations(session, [r.id]))[r.id]
    chain = await service.versions(session, r.lineage_id)
    return schemas.ReportOut(
        **summary.model_dump(), appointment_id=r.appointment_id, modality=r.modality, body_site=r.body_site,
        conclusion=r.conclusion, amend_reason=r.amend_reason, error_reason=r.error_reason, error_at=r.error_at,
        superseded_by_id=r.superseded_by_id, observations=[_observation(o) for o in obs],
        versions=[schemas.VersionOut(id=v.id, version=v.version, status=v.status, published_at=v.published_at,
                                     superseded=v.current_of is None, amend_reason=v.amend_reason)
                  for v in chain])


def _audit(session: SessionDep, actor: Actor, action: str, r: Report) -> None:
    audit.record(session, actor, action, patient_id=r.patient_id, resource_type="DiagnosticReport",
                 resource_id=r.id, institution_id=r.institution_id if actor.role != "regulator" else None)


@router.post("/institutions/{institution_id}/reports", response_model=schemas.ReportOut,
             status_code=status.HTTP_201_CREATED,
             summary="Publish a lab or imaging report; the patient and every account bound to them are notified")
async def publish(institution_id: str, body: schemas.PublishIn, session: SessionDep,
                  actor: CurrentActor) -> schemas.ReportOut:
    policy.require_institution_staff(actor, institution_id, *PUBLISHERS)
    r = await service.publish(session, institution_id=institution_id, patient_id=body.patient_id,
                              author_id=actor.account_id, data=_content(body, body.kind))
    _audit(session, actor, "report.publish", r)
    return await _detail(session, r)


@router.get("/reports", response_model=schemas.ReportPage,
            summary="Latest version of each report in my scope (my bound patients, my institution, or all), newest "
                    "first")
async def list_reports(session: SessionDep, actor: CurrentActor, patient_id: str | None = None,
                       institution_id: str | None = None, kind: Literal["lab", "imaging"] | None = None,
                       offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                       limit: Annotated[int, Query(ge=1, le=100)] = 20) -> schemas.ReportPage:
    scope = policy.record_scope(actor, Report.patient_id, Report.institution_id)
    rows, total = await service.latest(session, scope, service.ListQuery(
        patient_id=patient_id, institution_id=institution_id, kind=kind, offset=offset, limit=limit))
    items = []
    for r in rows:
        _audit(session, actor, "report.list", r)
        items.append(await _summary(session, r))
    return schemas.ReportPage(items=items, total=total, offset=offset, limit=limit)


@router.get("/reports/{report_id}", response_model=schemas.ReportOut, summary="One report (any version)")
async def read(report_id: str, session: SessionDep, actor: CurrentActor) -> schemas.ReportOut:
    r = await service.get(session, report_id)
    await policy.require_record(session, actor, patient_id=r.patient_id, institution_id=r.institution_id)
    _audit(session, actor, "report.read", r)
    return await _detail(session, r)


@router.post("/reports/{report_id}/amend", response_model=schemas.ReportOut, status_code=status.HTTP_201_CREATED,
             summary="Amend: a new version replaces this one, which is kept and marked superseded")
async def amend(report_id: str, body: schemas.AmendIn, session: SessionDep, actor: CurrentActor) -> schemas.ReportOut:
    r = await service.get(session, report_id)
    policy.require_institution_staff(actor, r.institution_id, *PUBLISHERS)
    new = await service.amend(session, r, author_id=actor.account_id, data=_content(body, r.kind),
                              reason=body.reason)
    _audit(session, actor, "report.amend", new)
    return await _detail(session, new)


@router.post("/reports/{report_id}/entered-in-error", response_model=schemas.ReportOut,
             summary="Mark the latest version entered-in-error (kept and shown as such, with the reason)")
async def entered_in_error(report_id: str, body: schemas.ErrorIn, session: SessionDep,
                           actor: CurrentActor) -> schemas.ReportOut:
    r = await service.get(session, report_id)
    policy.require_institution_staff(actor, r.institution_id, *PUBLISHERS)
    r = await service.mark_entered_in_error(session, r, by=actor.account_id, reason=body.reason)
    _audit(session, actor, "report.entered_in_error", r)
    return await _detail(session, r)
