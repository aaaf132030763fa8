"""Every nursing router: each ``yihu.nursing.*api`` module with a ``router`` (so parts can be added alone)."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

import yihu.nursing


def routers() -> list[APIRouter]:
    out = []
    for m in sorted(pkgutil.iter_modules(yihu.nursing.__path__), key=lambda m: m.name):
        if m.name == "api" or m.name.endswith("_api"):
            r = getattr(importlib.import_module(f"yihu.nursing.{m.name}"), "router", None)
            if isinstance(r, APIRouter):
                out.append(r)
    return out
