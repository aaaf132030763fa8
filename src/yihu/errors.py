"""One error family with stable codes and messages in zh-CN (default) and English.

A domain declares its codes with :func:`code` in its own ``errors.py``; the API renders ``{code, message}``
and /fhir renders an OperationOutcome. Messages never carry personal data: parameters are codes, counts
and limits, never names, ID numbers or phones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGS = ("zh-CN", "en")


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    zh: str
    en: str

    def render(self, lang: str, params: dict[str, Any]) -> str:
        template = self.en if lang == "en" else self.zh
        words = {k: (v.en if lang == "en" else v.zh) if isinstance(v, Localized) else v for k, v in params.items()}
        try:
            return template.format(**words)
        except (KeyError, IndexError):
            return template


@dataclass(frozen=True)
class Localized:
    """A message parameter that has words of its own in each language (a role's name, not a code)."""

    zh: str
    en: str


REGISTRY: dict[str, ErrorCode] = {}


def code(name: str, status: int, zh: str, en: str) -> ErrorCode:
    if name in REGISTRY and REGISTRY[name] != ErrorCode(name, status, zh, en):
        raise ValueError(f"error code {name} declared twice")
    ec = ErrorCode(name, status, zh, en)
    REGISTRY[name] = ec
    return ec


class DomainError(Exception):
    def __init__(self, error: ErrorCode, *, commit: bool = False, **params: Any) -> None:
        """``commit=True`` keeps the unit of work's changes although the request fails (a failed-login count)."""
        super().__init__(error.code)
        self.error = error
        self.params = params
        self.commit = commit

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    def message(self, lang: str = "zh-CN") -> str:
        return self.error.render(lang, self.params)

    def body(self, lang: str = "zh-CN") -> dict[str, str]:
        """The answer of /api/v1: ``{code, message}``."""
        return {"code": self.code, "message": self.message(lang)}


def pick_language(accept_language: str | None) -> str:
    """zh-CN unless the caller prefers English (q-values honoured)."""
    if not accept_language:
        return "zh-CN"
    best, best_q = "zh-CN", -1.0
    for part in accept_language.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        lang = "en" if tag.startswith("en") else "zh-CN" if tag.startswith("zh") else None
        if lang and q > best_q:
            best, best_q = lang, q
    return best


# Errors shared by every domain.
NOT_FOUND = code("common.not_found", 404, "未找到该{what}。", "The {what} was not found.")
VALIDATION = code("common.validation", 422, "输入有误：{detail}", "Invalid input: {detail}")
BAD_JSON = code("common.bad_json", 400, "请求体不是有效的 JSON。", "The request body is not valid JSON.")
CONFLICT = code("common.conflict", 409, "操作与当前数据冲突，请刷新后重试。", "The change conflicts with current data; refresh and retry.")
UNAUTHENTICATED = code("auth.unauthenticated", 401, "请先登录。", "Please sign in first.")
FORBIDDEN = code("auth.forbidden", 403, "您无权访问该资源。", "You are not allowed to access this resource.")
METHOD_NOT_ALLOWED = code("common.method_not_allowed", 405, "不支持该请求方法。", "This method is not supported here.")
ROUTE_NOT_FOUND = code("common.route_not_found", 404, "没有这个接口。", "There is no such endpoint.")
INTERNAL = code("common.internal", 500, "系统繁忙，请稍后再试。", "Something went wrong on our side; please try again later.")
