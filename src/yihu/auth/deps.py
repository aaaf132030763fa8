"""Annotated dependencies: who is calling."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Request

from yihu.auth import tokens
from yihu.auth.actor import Actor
from yihu.auth.policy import require_actor, require_role


def optional_actor(request: Request) -> Actor | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    actor = tokens.actor_from_access(token.strip())
    structlog.contextvars.bind_contextvars(actor_id=actor.account_id, actor_role=actor.role)
    return actor


def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    return require_actor(actor)


def resident(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    return require_role(actor, "resident")


MaybeActor = Annotated[Actor | None, Depends(optional_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
CurrentResident = Annotated[Actor, Depends(resident)]
