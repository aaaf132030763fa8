"""SQL conditions from search criteria: string, token, reference and ``_id`` matching."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from yihu.errors import DomainError
from yihu.fhir import errors
from yihu.fhir.search import Criterion, SearchRequest

Column = InstrumentedAttribute[str] | InstrumentedAttribute[str | None]


def any_of(conds: Iterable[ColumnElement[bool]]) -> ColumnElement[bool]:
    items = list(conds)
    return or_(*items) if items else false()


def string_match(column: Column, c: Criterion) -> ColumnElement[bool]:
    """FHIR string search: starts-with by default, ``:contains`` and ``:exact`` as modifiers."""
    if c.modifier == "exact":
        return any_of(column == v for v in c.values)
    if c.modifier == "contains":
        return any_of(column.icontains(v, autoescape=True) for v in c.values)
    return any_of(column.istartswith(v, autoescape=True) for v in c.values)


def token_codes(c: Criterion, systems: Iterable[str]) -> list[str] | None:
    """The codes asked for in our ``systems``; ``None`` when any code of one of them will do (``system|``)."""
    known = set(systems)
    out: list[str] = []
    for v in c.values:
        if "|" not in v:
            out.append(v)
            continue
        system, _, value = v.partition("|")
        if system and system not in known:
            continue
        if not value:
            return None
        out.append(value)
    return out


def token_match(column: Column, c: Criterion, systems: Iterable[str]) -> ColumnElement[bool]:
    codes = token_codes(c, systems)
    if codes is None:
        return true()
    return column.in_(codes) if codes else false()


def reference_ids(c: Criterion, target: str) -> list[str]:
    """Ids referenced as ``123``, ``Target/123`` or ``https://host/fhir/Target/123``."""
    out: list[str] = []
    modifier_ok = c.modifier in (None, target)
    for v in c.values:
        parts = v.rstrip("/").split("/")
        if len(parts) == 1 and modifier_ok:
            out.append(parts[0])
        elif len(parts) >= 2 and parts[-2] == target:
            out.append(parts[-1])
    return out


def reference_match(column: Column, c: Criterion, target: str) -> ColumnElement[bool]:
    ids = reference_ids(c, target)
    return column.in_(ids) if ids else false()


def all_criteria(req: SearchRequest, name: str,
                 build: Callable[[Criterion], ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    return [build(c) for c in req.of(name)]


def conjunction(conds: list[ColumnElement[bool]]) -> ColumnElement[bool] | None:
    return and_(*conds) if conds else None


def boolean_match(column: InstrumentedAttribute[bool], c: Criterion, *, negate: bool = False) -> ColumnElement[bool]:
    """``active=true`` / ``false``; ``negate`` for columns stored the other way round (``suspended``)."""
    wanted = set()
    for v in c.values:
        if v.lower() not in ("true", "false"):
            raise DomainError(errors.INVALID_PARAM, param=c.param.name)
        wanted.add((v.lower() == "true") != negate)
    return column.in_(sorted(wanted))
