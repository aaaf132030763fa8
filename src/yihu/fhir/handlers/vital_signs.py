"""Observation for the vital signs of nursing records: the nursing half of the served Observation type (see
``combined``), read and searched as the patient's record (see ``nursing_rows``); every one shown is audited.

A record holds several signs in one JSON column; search turns each record into its Observations in SQL (one
branch per kind, joined with UNION ALL), so that paging and the total stay exact on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, Select, false, literal, or_, select, union_all

from yihu.auth import policy
from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir.dates import date_match
from yihu.fhir.filters import reference_match, token_codes
from yihu.fhir.handlers import nursing_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, by_ids, count_of
from yihu.fhir.handlers.procedure import encounter_match
from yihu.fhir.mappers import vital_signs as mapper
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingRecord


def _present(kind: str) -> ColumnElement[bool]:
    return or_(*(NursingRecord.vitals[key].as_string().is_not(None) for key in mapper.KEYS_OF[kind]))


def _kinds(req: SearchRequest) -> list[str]:
    wanted = set(mapper.KINDS)
    for c in req.of("code"):
        matched: set[str] = set()
        for v in c.values:
            system, bar, code = v.partition("|")
            matched |= mapper.kinds_of_code(system, code) if bar else mapper.kinds_of_code(None, v)
        wanted &= matched
    return [k for k in mapper.KINDS if k in wanted]


def _ids(c: Criterion, kind: str) -> ColumnElement[bool]:
    codes = token_codes(c, ())
    parsed = [mapper.parse_id(v) for v in codes or ()]
    records = [p[0] for p in parsed if p is not None and p[1] == kind]
    return NursingRecord.id.in_(records) if records else false()


def _conditions(req: SearchRequest, kind: str) -> list[ColumnElement[bool]]:
    out = [_present(kind)]
    for c in req.criteria:
        name = c.param.name
        if name == "_id":
            out.append(_ids(c, kind))
        elif name == "patient":
            out.append(reference_match(NursingRecord.patient_id, c, "Patient"))
        elif name == "encounter":
            out.append(encounter_match(NursingRecord.order_id, c))
        elif name == "date":
            out.append(date_match(NursingRecord.signed_at, c))
    return out


class VitalSignsHandler(ResourceHandler):
    resource_type = "Observation"
    documentation = ("Vital signs of home-nursing records (category vital-signs, LOINC, UCUM; id "
                     "nursing-<record id>-<kind>), effective when the nurse signed the record.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Observation"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("code", "token", "The sign (LOINC)"),
        SearchParam("date", "date", "When the record was signed (prefixes eq ne gt lt ge le sa eb; dates are "
                                    "Asia/Shanghai)"),
        SearchParam("encounter", "reference", "The home visit (Encounter)", ("Encounter",)),
    )

    @staticmethod
    def owns(resource_id: str) -> bool:
        return mapper.parse_id(resource_id) is not None

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        actor = policy.require_actor(ctx.actor)
        parsed = mapper.parse_id(resource_id)
        record = await ctx.session.get(NursingRecord, parsed[0]) if parsed else None
        if parsed is None or record is None or parsed[1] not in mapper.present(record.vitals or {}):
            raise DomainError(NOT_FOUND, what="生命体征")
        actor = await nursing_rows.require_record(ctx.session, actor, record.patient_id)
        rows = await nursing_rows.one(ctx.session, record.order_id, "生命体征")
        nursing_rows.shown(ctx, actor, "read", self.resource_type, resource_id, rows.order)
        return mapper.to_fhir(rows, parsed[1])

    def _query(self, ctx: Context, req: SearchRequest) -> Select[Any] | None:
        limit = nursing_rows.record_scope(ctx.actor, NursingRecord.patient_id)
        branches = []
        for kind in _kinds(req):
            conds = _conditions(req, kind) + ([limit] if limit is not None else [])
            branches.append(select(NursingRecord.id.label("rid"), literal(mapper.KINDS.index(kind)).label("k"),
                                   NursingRecord.signed_at.label("at")).where(*conds))
        if not branches:
            return None
        u = union_all(*branches).subquery()
        return select(u.c.rid, u.c.k).order_by(u.c.at.desc(), u.c.rid, u.c.k)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = self._query(ctx, req)
        if q is None:
            return Page([], 0)
        total = await count_of(ctx.session, q)
        found = [(str(r), int(k)) for r, k in (await ctx.session.execute(q.offset(req.offset).limit(req.count)))
                 .tuples().all()] if req.count else []
        records: dict[str, NursingRecord] = await by_ids(ctx.session, NursingRecord, {r for r, _k in found})
        orders = await by_ids(ctx.session, NursingOrder, {r.order_id for r in records.values()})
        loaded = {rows.order.id: rows for rows in await nursing_rows.load(ctx.session, list(orders.values()))}
        out: list[Resource] = []
        for record_id, k in found:
            rows = loaded[records[record_id].order_id]
            kind = mapper.KINDS[k]
            nursing_rows.shown(ctx, actor, "search", self.resource_type, mapper.observation_id(record_id, kind),
                               rows.order)
            out.append(mapper.to_fhir(rows, kind))
        return Page(out, total)
