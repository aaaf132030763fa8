"""Search parameters: what a handler declares, and the parsed request it is given.

Parameters a handler does not declare are ignored (lenient handling) and left out of the self link;
a declared parameter with an invalid value or modifier, or a bad ``_count``/``_offset``, is a 400.
``_summary=count`` answers the total alone, with no entries; the other ``_summary`` values are not supported and,
like any parameter not supported, ignored and left out of the self link. A client that sends
``Prefer: handling=strict`` gets a 400 for a parameter not supported instead (``strict``).
A repeated parameter is an AND of its occurrences; commas inside one value are an OR.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from yihu.errors import DomainError
from yihu.fhir import errors

ParamType = Literal["string", "token", "reference", "date", "number", "uri", "quantity", "special"]

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 1_000_000


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: ParamType
    documentation: str
    modifiers: tuple[str, ...] = ()


def id_param(resource_type: str) -> SearchParam:
    return SearchParam("_id", "token", f"The logical id of the {resource_type}")


STRING_MODIFIERS = ("exact", "contains")


@dataclass(frozen=True)
class Criterion:
    """One occurrence of a parameter: ``values`` are alternatives (OR)."""

    param: SearchParam
    modifier: str | None
    values: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.param.name}:{self.modifier}" if self.modifier else self.param.name

    def encoded_value(self) -> str:
        return ",".join(v.replace("\\", "\\\\").replace(",", "\\,") for v in self.values)


@dataclass(frozen=True)
class SearchRequest:
    criteria: tuple[Criterion, ...] = ()
    count: int = DEFAULT_COUNT
    offset: int = 0
    summary: str | None = None  # "count": the total alone

    def of(self, name: str) -> list[Criterion]:
        return [c for c in self.criteria if c.param.name == name]

    def query_string(self, *, offset: int | None = None) -> str:
        pairs = [(c.key, c.encoded_value()) for c in self.criteria]
        if self.summary is not None:
            pairs.append(("_summary", self.summary))
        pairs += [("_count", str(self.count)), ("_offset", str(self.offset if offset is None else offset))]
        return urlencode(pairs, safe=",|:/")


def split_values(raw: str) -> tuple[str, ...]:
    """Split on commas that are not escaped with a backslash; unescape ``\\,`` and ``\\\\``."""
    out: list[str] = []
    buf: list[str] = []
    chars = iter(raw)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            buf.append(nxt if nxt in (",", "\\", "$", "|") else ch + nxt)
        elif ch == ",":
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    out.append("".join(buf))
    return tuple(v for v in (s.strip() for s in out) if v)


def _int(name: str, raw: str, low: int, high: int | None = None) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise DomainError(errors.INVALID_PARAM, param=name) from None
    if value < low or (high is not None and value > high):
        raise DomainError(errors.INVALID_PARAM, param=name)
    return value


# Media ranges that take the JSON every answer is written in (``_format`` may also say just ``json``).
ACCEPTABLE = frozenset({"*/*", "application/*", "application/json", "application/fhir+json", "application/json+fhir"})


def check_format(items: Iterable[tuple[str, str]], accept: str | None = None) -> None:
    """The answer is JSON: a ``_format`` or an ``Accept`` header that allows no JSON is a 406 (Not Acceptable)."""
    for key, value in items:
        if key == "_format" and value.strip().lower() != "json" and not _takes_json(value):
            raise DomainError(errors.NOT_ACCEPTABLE)
    if accept and accept.strip() and not any(_takes_json(r) for r in accept.split(",")):
        raise DomainError(errors.NOT_ACCEPTABLE)


def _takes_json(media_range: str) -> bool:
    media, *params = (p.strip().lower() for p in media_range.split(";"))
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                if float(value) <= 0:
                    return False  # q=0: "not acceptable"
            except ValueError:
                return False
    return media in ACCEPTABLE


CONTROL = ("_count", "_offset", "_format")


def parse(params: tuple[SearchParam, ...], items: Iterable[tuple[str, str]], *, strict: bool = False) -> SearchRequest:
    declared = {p.name: p for p in params}
    criteria: list[Criterion] = []
    count, offset = DEFAULT_COUNT, 0
    summary: str | None = None
    for key, raw in items:
        if "\x00" in raw:  # no database stores a NUL in text: refuse it here rather than fail there
            raise DomainError(errors.INVALID_PARAM, param=key.partition(":")[0][:32] or "?")
        if key == "_count":
            count = min(_int("_count", raw, 0), MAX_COUNT)
            continue
        if key == "_offset":
            offset = _int("_offset", raw, 0, MAX_OFFSET)
            continue
        if key == "_summary":
            if raw.strip().lower() == "count":
                summary = "count"
            elif strict:
                raise DomainError(errors.UNSUPPORTED_PARAM, param="_summary")
            continue
        name, _, modifier = key.partition(":")
        param = declared.get(name)
        if param is None:
            if strict and key not in CONTROL:
                raise DomainError(errors.UNSUPPORTED_PARAM, param=name[:32] or "?")
            continue
        if modifier and modifier not in param.modifiers:
            raise DomainError(errors.UNKNOWN_MODIFIER, param=name, modifier=modifier[:32])
        values = split_values(raw)
        if values:
            criteria.append(Criterion(param, modifier or None, values))
    if summary == "count":
        count = 0  # the total alone, whatever _count said
    return SearchRequest(tuple(criteria), count, offset, summary)
