"""One served resource type backed by several handlers over different tables (Encounter: outpatient visits and
home-nursing visits; Observation: lab results and nursing vital signs).

Each part keeps its own ids (a part other than the first says which ids it owns, by prefix), search parameters
and scope. A search runs the parts one after the other and pages across them (the first part's matches, then
the next's), so paging and the total stay exact. A criterion on a parameter a part does not declare either is a
constant of that part (every resource of it has that value, e.g. ``category`` laboratory or vital-signs) and is
decided once, or that part has no such element and matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

from fhir.resources.R4B.resource import Resource

from yihu.auth import policy
from yihu.fhir.filters import token_codes
from yihu.fhir.handlers.base import Context, Page, ResourceHandler
from yihu.fhir.search import Criterion, SearchParam, SearchRequest

Constant = Callable[[Criterion], bool]


def token_is(system: str, code: str) -> Constant:
    """A token parameter whose value is ``system|code`` on every resource of a part."""
    def matches(c: Criterion) -> bool:
        codes = token_codes(c, (system,))
        return codes is None or code in codes
    return matches


@dataclass(frozen=True)
class Part:
    handler: ResourceHandler
    owns: Callable[[str], bool] = lambda _id: False
    constants: dict[str, Constant] = field(default_factory=dict)

    def narrowed(self, req: SearchRequest) -> SearchRequest | None:
        """The request as this part understands it; None when it can match nothing."""
        declared = {p.name for p in self.handler.search_params}
        kept = []
        for c in req.criteria:
            name = c.param.name
            if name in declared:
                kept.append(c)
            elif name not in self.constants or not self.constants[name](c):
                return None
        return replace(req, criteria=tuple(kept))


class CombinedHandler(ResourceHandler):
    search_params: ClassVar[tuple[SearchParam, ...]] = ()

    def __init__(self, parts: Sequence[Part], extra: Sequence[SearchParam] = ()) -> None:
        self.parts = list(parts)
        first = self.parts[0].handler
        self.resource_type = first.resource_type  # type: ignore[misc]
        self.documentation = " ".join(p.handler.documentation for p in self.parts)  # type: ignore[misc]
        params: dict[str, SearchParam] = {}
        for p in (*(sp for part in self.parts for sp in part.handler.search_params), *extra):
            params.setdefault(p.name, p)
        self.search_params = tuple(params.values())  # type: ignore[misc]

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        for part in self.parts[1:]:
            if part.owns(resource_id):
                return await part.handler.read(ctx, resource_id)
        return await self.parts[0].handler.read(ctx, resource_id)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        policy.require_actor(ctx.actor)
        resources: list[Resource] = []
        total = 0
        for part in self.parts:
            sub = part.narrowed(req)
            if sub is None:
                continue
            want = max(req.count - len(resources), 0)
            page = await part.handler.search(ctx, replace(sub, offset=max(req.offset - total, 0), count=want))
            resources.extend(page.resources)
            total += page.total
        return Page(resources, total)
