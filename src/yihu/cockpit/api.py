"""GET /cockpit/nursing (the period's figures) and /cockpit/nursing/live (polled by the page)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from yihu.auth.deps import CurrentActor
from yihu.cockpit import schemas, service
from yihu.cockpit.live import live
from yihu.cockpit.window import Window, this_month
from yihu.db import utcnow
from yihu.kit import clock
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.registry import service as registry

router = APIRouter(tags=["cockpit"], route_class=CommittingRoute)


@router.get("/cockpit/nursing", response_model=schemas.NursingCockpit,
            summary="Home-nursing figures for a period [from, to) in local dates (default: this month)")
async def nursing_cockpit(session: SessionDep, actor: CurrentActor,
                          start: Annotated[date | None, Query(alias="from")] = None,
                          end: Annotated[date | None, Query(alias="to")] = None,
                          institution_id: str | None = None) -> schemas.NursingCockpit:
    scope = service.scope_for(actor, institution_id)
    month = this_month(clock.local_date(utcnow()))
    w = service.check_window(Window(start or month.start_day, end or month.end_day))
    return await service.nursing_cockpit(session, w, scope)


@router.get("/cockpit/nursing/live", response_model=schemas.Live,
            summary="Visits in progress, alarms open, orders waiting, today's counts, the latest steps")
async def nursing_live(session: SessionDep, actor: CurrentActor,
                       institution_id: str | None = None) -> schemas.Live:
    scope = service.scope_for(actor, institution_id)
    if scope and actor.role == "regulator":
        await registry.get_institution(session, scope)  # an unknown institution is a 404, as on the figures
    return await live(session, scope)
