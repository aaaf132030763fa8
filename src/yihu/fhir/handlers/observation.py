"""Observation: the results of lab reports, read and searched under the same policy as their DiagnosticReport;
search covers the latest version of each report. Every one shown is audited."""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import select

from yihu.auth import policy
from yihu.fhir.dates import date_match
from yihu.fhir.filters import any_of, reference_match, token_match
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, by_ids, concat_page
from yihu.fhir.handlers.diagnostic_report import code_condition, scope
from yihu.fhir.mappers import observation as mapper
from yihu.fhir.search import SearchParam, SearchRequest, id_param
from yihu.kit import audit
from yihu.reports import service as reports
from yihu.reports.models import Report, ReportObservation


class ObservationHandler(ResourceHandler):
    resource_type = "Observation"
    documentation = ("Results of lab reports (value with UCUM unit or text, reference range, H/L/N interpretation), "
                     "visible to whoever may see their DiagnosticReport. Status follows the report version.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Observation"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("code", "token", "The test (LOINC, or the lab's local code)"),
        SearchParam("date", "date", "When the specimen was taken (prefixes eq ne gt lt ge le sa eb; dates are "
                                    "Asia/Shanghai)"),
    )

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        actor = policy.require_actor(ctx.actor)
        o, r = await reports.get_observation(ctx.session, resource_id)
        await policy.require_record(ctx.session, actor, patient_id=r.patient_id, institution_id=r.institution_id)
        audit.record(ctx.session, actor, "observation.read", patient_id=r.patient_id, resource_type="Observation",
                     resource_id=o.id, detail={"via": "fhir", "report": r.id})
        return mapper.to_fhir(o, r)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = (select(ReportObservation).join(Report, Report.id == ReportObservation.report_id)
             .where(Report.current_of.is_not(None))
             .order_by(Report.published_at.desc(), Report.id.desc(), ReportObservation.seq))
        limit = scope(ctx)
        if limit is not None:
            q = q.where(limit)
        for c in req.of("_id"):
            q = q.where(token_match(ReportObservation.id, c, ()))
        for c in req.of("patient"):
            q = q.where(reference_match(Report.patient_id, c, "Patient"))
        for c in req.of("code"):
            q = q.where(any_of(code_condition(ReportObservation.code_system, ReportObservation.code, v)
                               for v in c.values))
        for c in req.of("date"):
            q = q.where(date_match(Report.effective_at, c))
        rows, total = await concat_page(ctx.session, [q], req.offset, req.count)
        parents: dict[str, Report] = await by_ids(ctx.session, Report, {o.report_id for o in rows})
        for o in rows:
            r = parents[o.report_id]
            audit.record(ctx.session, actor, "observation.search", patient_id=r.patient_id,
                         resource_type="Observation", resource_id=o.id, detail={"via": "fhir"})
        return Page([mapper.to_fhir(o, parents[o.report_id]) for o in rows], total)
