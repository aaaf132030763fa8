"""DiagnosticReport: read (any version) and search (the latest version of each report) within the caller's scope;
every one shown is audited.

Scope is the records policy: a resident sees the reports of the patients bound to the account, staff those of
their institution, the regulator all of them; anonymous callers are refused.
"""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, and_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from yihu.auth import policy
from yihu.fhir.dates import date_match
from yihu.fhir.filters import any_of, reference_match, token_match
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, concat_page
from yihu.fhir.mappers import diagnostic_report as mapper
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.kit import audit
from yihu.reports import codes
from yihu.reports import service as reports
from yihu.reports.models import Report

STATUS_SYSTEM = "http://hl7.org/fhir/diagnostic-report-status"
_CODE_SYSTEMS = {mapper.LOINC: "loinc", mapper.LOCAL_TEST: "local"}


def _category(value: str) -> ColumnElement[bool]:
    system, bar, code = value.rpartition("|")
    conds: list[ColumnElement[bool]] = []
    if (not bar or system == mapper.V2_0074) and code in mapper.KIND_OF_CATEGORY:
        conds.append(Report.kind == mapper.KIND_OF_CATEGORY[code])
    if (not bar or system == mapper.DICOM) and code in codes.MODALITIES:
        conds.append(Report.modality == code)
    return any_of(conds)


def category_match(c: Criterion) -> ColumnElement[bool]:
    return any_of(_category(v) for v in c.values)


def code_condition(system_col: InstrumentedAttribute[str], code_col: InstrumentedAttribute[str],
                   value: str) -> ColumnElement[bool]:
    """``code`` in any of our test systems, ``system|code`` in one, ``system|`` for every code of that system."""
    system, bar, code = value.partition("|")
    if not bar:
        return code_col == value
    ours = _CODE_SYSTEMS.get(system)
    if ours is None:
        return any_of([])
    return and_(system_col == ours, code_col == code if code else true())


def scope(ctx: Context) -> ColumnElement[bool] | None:
    return policy.record_scope(ctx.actor, Report.patient_id, Report.institution_id)


class DiagnosticReportHandler(ResourceHandler):
    resource_type = "DiagnosticReport"
    documentation = ("Lab and imaging reports, limited to the caller's patients (residents), institution (staff) or "
                     "region (regulator). Reports are never deleted: an amendment is a new version (status amended) "
                     "and the one it replaces is kept; withdrawn reports are entered-in-error. Search returns the "
                     "latest version of each report, newest first.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("DiagnosticReport"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("category", "token", "LAB | RAD (v2-0074), or an imaging modality (DICOM: CT, MR, US, DX…)"),
        SearchParam("code", "token", "The test or exam (LOINC, or the lab's local code)"),
        SearchParam("date", "date", "When the specimen was taken or the exam performed (prefixes eq ne gt lt ge le "
                                    "sa eb; dates are Asia/Shanghai)"),
        SearchParam("status", "token", "final | amended | entered-in-error"),
    )

    async def _resources(self, ctx: Context, rows: list[Report]) -> list[Resource]:
        obs = await reports.observations(ctx.session, [r.id for r in rows])
        return [mapper.to_fhir(r, [o.id for o in obs[r.id]]) for r in rows]

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        actor = policy.require_actor(ctx.actor)
        r = await reports.get(ctx.session, resource_id)
        await policy.require_record(ctx.session, actor, patient_id=r.patient_id, institution_id=r.institution_id)
        audit.record(ctx.session, actor, "report.read", patient_id=r.patient_id, resource_type="DiagnosticReport",
                     resource_id=r.id, detail={"via": "fhir"})
        return (await self._resources(ctx, [r]))[0]

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = (select(Report).where(Report.current_of.is_not(None))
             .order_by(Report.published_at.desc(), Report.id.desc()))
        limit = scope(ctx)
        if limit is not None:
            q = q.where(limit)
        for c in req.of("_id"):
            q = q.where(token_match(Report.id, c, ()))
        for c in req.of("patient"):
            q = q.where(reference_match(Report.patient_id, c, "Patient"))
        for c in req.of("category"):
            q = q.where(category_match(c))
        for c in req.of("code"):
            q = q.where(any_of(code_condition(Report.code_system, Report.code, v) for v in c.values))
        for c in req.of("date"):
            q = q.where(date_match(Report.effective_at, c))
        for c in req.of("status"):
            q = q.where(token_match(Report.status, c, (STATUS_SYSTEM,)))
        rows, total = await concat_page(ctx.session, [q], req.offset, req.count)
        for r in rows:
            audit.record(ctx.session, actor, "report.search", patient_id=r.patient_id,
                         resource_type="DiagnosticReport", resource_id=r.id, detail={"via": "fhir"})
        return Page(await self._resources(ctx, rows), total)
