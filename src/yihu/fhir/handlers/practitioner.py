"""Practitioner: directory data; credentials only for staff of the registered institution and regulators."""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import select

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.fhir import systems
from yihu.fhir.filters import boolean_match, reference_ids, string_match, token_match
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, concat_page
from yihu.fhir.mappers import practitioner as mapper
from yihu.fhir.search import STRING_MODIFIERS, SearchParam, SearchRequest, id_param
from yihu.registry import service as registry
from yihu.registry.models import Practitioner, PractitionerRole


def may_see_credentials(actor: Actor | None, p: Practitioner) -> bool:
    """The same rule as the registry API, decided by the policy layer."""
    return policy.may_see_credentials(actor, p.registered_institution_id)


class PractitionerHandler(ResourceHandler):
    resource_type = "Practitioner"
    documentation = ("Doctors, nurses, pharmacists and technicians with licence and title; credentials are shown "
                     "to staff of the registered institution and to regulators only.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Practitioner"),
        SearchParam("name", "string", "Starts of the full name (:contains, :exact supported)", STRING_MODIFIERS),
        SearchParam("identifier", "token", f"Licence number ({systems.PRACTITIONER_LICENCE})"),
        SearchParam("organization", "reference", "Practitioners with an active role at this institution",
                    ("Organization",)),
        SearchParam("active", "token", "false for suspended practitioners"),
    )

    async def _resources(self, ctx: Context, rows: list[Practitioner]) -> list[Resource]:
        creds = await registry.credentials_of(ctx.session, [p.id for p in rows if may_see_credentials(ctx.actor, p)])
        return [mapper.to_fhir(p, creds.get(p.id)) for p in rows]

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        p = await registry.get_practitioner(ctx.session, resource_id)
        return (await self._resources(ctx, [p]))[0]

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        q = select(Practitioner).order_by(Practitioner.name, Practitioner.id)
        for c in req.of("_id"):
            q = q.where(token_match(Practitioner.id, c, ()))
        for c in req.of("name"):
            q = q.where(string_match(Practitioner.name, c))
        for c in req.of("identifier"):
            q = q.where(token_match(Practitioner.licence_no, c, (systems.PRACTITIONER_LICENCE,)))
        for c in req.of("organization"):
            roles = select(PractitionerRole.practitioner_id).where(
                PractitionerRole.active.is_(True),
                PractitionerRole.institution_id.in_(reference_ids(c, "Organization")))
            q = q.where(Practitioner.id.in_(roles))
        for c in req.of("active"):
            q = q.where(boolean_match(Practitioner.suspended, c, negate=True))
        rows, total = await concat_page(ctx.session, [q], req.offset, req.count)
        return Page(await self._resources(ctx, rows), total)
