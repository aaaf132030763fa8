"""Helpers shared by the mappers: names, codings, references, meta."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Two-character family names (复姓); every other Chinese name takes its first character as the family name.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "令狐", "澹台", "呼延", "端木", "南宫", "万俟", "闻人", "轩辕", "申屠", "太史", "西门", "钟离", "独孤",
})


def human_name(name: str) -> dict[str, Any]:
    """``张三明`` → family 张, given [三明]; ``欧阳娜娜`` → family 欧阳; ``Anna Li`` → family Li, given [Anna]."""
    text = name.strip()
    out: dict[str, Any] = {"use": "official", "text": text}
    words = text.split()
    if len(words) > 1:
        out["family"] = words[-1]
        out["given"] = words[:-1]
    elif len(text) > 1:
        size = 2 if len(text) > 2 and text[:2] in COMPOUND_SURNAMES else 1
        out["family"] = text[:size]
        out["given"] = [text[size:]]
    elif text:
        out["family"] = text
    return out


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, table: dict[str, tuple[str, str]], text: bool = True) -> dict[str, Any]:
    """A CodeableConcept on one of our code systems, displayed in Chinese."""
    zh = table.get(code, (code, code))[0]
    out: dict[str, Any] = {"coding": [coding(system, code, zh)]}
    if text:
        out["text"] = zh
    return out


def reference(resource_type: str, resource_id: str, display: str | None = None) -> dict[str, str]:
    out = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        out["display"] = display
    return out


def meta(updated_at: datetime | None) -> dict[str, str] | None:
    return {"lastUpdated": updated_at.isoformat()} if updated_at is not None else None


def without_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != []}
