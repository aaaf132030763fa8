"""HealthcareService: the home-nursing catalogue as offered by institutions; public directory data like
Organization (no sign-in), ordered by institution code, then item code."""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, Select, and_, not_, or_, select

from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir import errors
from yihu.fhir.filters import reference_match, string_match, token_match
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, count_of
from yihu.fhir.handlers.nursing_orders import Filter
from yihu.fhir.mappers import healthcare_service as mapper
from yihu.fhir.mappers.nursing import CATEGORY, ITEM
from yihu.fhir.search import STRING_MODIFIERS, Criterion, SearchParam, SearchRequest, id_param
from yihu.nursing.models import NursingItem, NursingItemVersion, NursingOffering
from yihu.registry.models import Institution

Row = tuple[NursingOffering, NursingItem, NursingItemVersion, Institution]


def _base() -> Select[Row]:
    return (select(NursingOffering, NursingItem, NursingItemVersion, Institution)
            .join(NursingItem, NursingItem.id == NursingOffering.item_id)
            .join(NursingItemVersion, and_(NursingItemVersion.item_id == NursingItem.id,
                                           NursingItemVersion.version == NursingItem.current_version))
            .join(Institution, Institution.id == NursingOffering.institution_id))


def _active(c: Criterion) -> ColumnElement[bool]:
    on = and_(NursingOffering.active.is_(True), NursingItem.active.is_(True))
    conds = []
    for v in c.values:
        if v.lower() not in ("true", "false"):
            raise DomainError(errors.INVALID_PARAM, param=c.param.name)
        conds.append(on if v.lower() == "true" else not_(on))
    return or_(*conds)


def _name(c: Criterion) -> ColumnElement[bool]:
    return or_(string_match(NursingItemVersion.name_zh, c), string_match(NursingItemVersion.name_en, c))


class HealthcareServiceHandler(ResourceHandler):
    resource_type = "HealthcareService"
    documentation = ("Home-nursing services (互联网+护理服务): one per catalogue item offered by an institution "
                     "(providedBy), with the item's current name, public price and home-visit fee, the populations "
                     "it serves and the certificates a nurse needs; public directory data, readable without signing "
                     "in.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("HealthcareService"),
        SearchParam("name", "string", "Starts of the item's name, Chinese or English (:contains, :exact supported)",
                    STRING_MODIFIERS),
        SearchParam("active", "token", "true: offered and in the catalogue; false: withdrawn"),
        SearchParam("organization", "reference", "The offering institution (Organization)", ("Organization",)),
        SearchParam("service-category", "token", f"The item's category ({CATEGORY})"),
        SearchParam("service-type", "token", f"The item's code ({ITEM})"),
    )

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        row = (await ctx.session.execute(_base().where(NursingOffering.id == resource_id))).tuples().first()
        if row is None:
            raise DomainError(NOT_FOUND, what="护理服务")
        return mapper.to_fhir(*row)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        q = _base().order_by(Institution.code, NursingItem.code, NursingOffering.id)
        filters: dict[str, Filter] = {
            "_id": lambda c: token_match(NursingOffering.id, c, ()),
            "name": _name,
            "active": _active,
            "organization": lambda c: reference_match(NursingOffering.institution_id, c, "Organization"),
            "service-category": lambda c: token_match(NursingItem.category, c, (CATEGORY,)),
            "service-type": lambda c: token_match(NursingItem.code, c, (ITEM,)),
        }
        for c in req.criteria:
            q = q.where(filters[c.param.name](c))
        total = await count_of(ctx.session, q)
        rows = (await ctx.session.execute(q.offset(req.offset).limit(req.count))).tuples().all() if req.count else []
        return Page([mapper.to_fhir(*r) for r in rows], total)
