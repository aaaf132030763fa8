from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from yihu.auth.deps import CurrentActor
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.notify import service

router = APIRouter(tags=["notifications"], route_class=CommittingRoute)


@router.get("/me/notifications", summary="My in-app notifications, newest first")
async def my_notifications(session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return {"items": await service.inbox(session, actor.account_id)}
