"""What a served resource type declares: its type, interactions, search parameters, read and search.

The CapabilityStatement is generated from these declarations (see ``yihu.fhir.capability``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.errors import DomainError
from yihu.fhir import errors
from yihu.fhir.search import SearchParam, SearchRequest


@dataclass(frozen=True)
class Context:
    session: AsyncSession
    actor: Actor | None


@dataclass(frozen=True)
class Page:
    resources: list[Resource]
    total: int


class ResourceHandler(ABC):
    resource_type: ClassVar[str]
    documentation: ClassVar[str]
    interactions: ClassVar[tuple[str, ...]] = ("read", "search-type")
    search_params: ClassVar[tuple[SearchParam, ...]]

    @abstractmethod
    async def read(self, ctx: Context, resource_id: str) -> Resource: ...

    @abstractmethod
    async def search(self, ctx: Context, req: SearchRequest) -> Page: ...

    async def admit_create(self, ctx: Context) -> None:
        """Checks made before a create is attempted, outside its idempotent unit (rate limits); none by default."""
        return None

    async def create(self, ctx: Context, resource: Resource) -> Resource:
        """Create from a validated resource of this type; handlers that declare ``create`` implement it."""
        raise DomainError(errors.NOT_SUPPORTED, resource_type=self.resource_type)


async def count_of(session: AsyncSession, q: Select[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0)


async def concat_page(session: AsyncSession, queries: list[Select[Any]], offset: int, limit: int) -> tuple[
        list[Any], int]:
    """One page over several ordered queries read one after the other (e.g. groups, then institutions)."""
    rows: list[Any] = []
    total = 0
    for q in queries:
        n = await count_of(session, q)
        start = max(offset - total, 0)
        want = limit - len(rows)
        if want > 0 and start < n:
            rows.extend((await session.scalars(q.offset(start).limit(want))).all())
        total += n
    return rows, total


async def by_ids(session: AsyncSession, model: type[Any], ids: set[str]) -> dict[str, Any]:
    """Rows of ``model`` keyed by id, for the related rows a page of resources refers to."""
    if not ids:
        return {}
    return {r.id: r for r in (await session.scalars(select(model).where(model.id.in_(ids)))).all()}

