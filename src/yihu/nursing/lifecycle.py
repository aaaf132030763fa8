"""The order's life cycle: which step is allowed from which state, taken once, with its trail (全程留痕).

Every step is one conditional UPDATE (``WHERE status IN (allowed)``): two racing steps cannot both win, a step
from the wrong state is a 409 and nothing changes. Each step that wins writes an event row (actor, role, time,
from → to) and an audit event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import audit
from yihu.nursing import errors
from yihu.nursing.models import NursingOrder, NursingOrderEvent

# action -> (states it may start from, state it leads to; None keeps the state)
STEPS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "assess_approve": (("requested", "first_visit"), "assessed"),
    "assess_first_visit": (("requested",), "first_visit"),
    "assess_reject": (("requested", "first_visit"), "rejected"),
    "accept": (("assessed",), "accepted"),
    "assign": (("accepted", "assigned"), "assigned"),
    "unassign": (("assigned",), "accepted"),
    "consent": (("assigned",), "consented"),
    "consent_at_door": (("en_route",), None),
    "depart": (("assigned", "consented"), "en_route"),
    "check_in": (("en_route",), "in_service"),
    "record": (("in_service",), "recorded"),
    "complete": (("recorded",), "completed"),
    "pay": (("completed",), "paid"),
    "rate": (("paid",), "rated"),
    "cancel_resident": (("requested", "first_visit", "assessed", "accepted", "assigned", "consented", "en_route"),
                        "cancelled"),
    "cancel_institution": (("requested", "first_visit", "assessed", "accepted", "assigned", "consented",
                            "en_route", "in_service"), "cancelled"),
}

STATUS_TEXT: dict[str, tuple[str, str]] = {
    "requested": ("待审核", "requested"), "first_visit": ("待首诊评估", "first visit required"),
    "assessed": ("已评估", "assessed"), "accepted": ("已接单", "accepted"), "assigned": ("已派护士", "nurse assigned"),
    "consented": ("已签知情同意", "consent signed"), "en_route": ("护士出发", "nurse on the way"),
    "in_service": ("服务中", "in service"), "recorded": ("已写护理记录", "record written"),
    "completed": ("服务完成", "completed"), "paid": ("已支付", "paid"), "rated": ("已评价", "rated"),
    "rejected": ("已驳回", "rejected"), "cancelled": ("已取消", "cancelled"),
}
ACTION_TEXT: dict[str, tuple[str, str]] = {
    "create": ("下单", "order"), "assess_approve": ("评估通过", "approve"),
    "assess_first_visit": ("要求首诊评估", "require a first visit"), "assess_reject": ("驳回", "reject"),
    "accept": ("接单", "accept"), "assign": ("派单", "assign"), "unassign": ("撤回派单", "unassign"),
    "consent": ("签署知情同意", "sign consent"), "consent_at_door": ("上门签署知情同意", "sign consent at the door"),
    "depart": ("出发", "set off"), "check_in": ("到达签到", "check in"), "record": ("填写护理记录", "write the record"),
    "complete": ("签退完成", "check out"), "pay": ("支付", "pay"), "rate": ("评价", "rate"),
    "cancel_resident": ("取消订单", "cancel"), "cancel_institution": ("机构取消", "cancel (institution)"),
    "refund": ("退款", "refund"), "followup_open": ("开启回访", "follow-up opened"),
    "followup_close": ("回访结束", "follow-up closed"),
}


def status_text(status: str, lang: str = "zh-CN") -> str:
    zh, en = STATUS_TEXT.get(status, (status, status))
    return en if lang == "en" else zh


def _refuse(order: NursingOrder, action: str) -> DomainError:
    return DomainError(errors.ILLEGAL_STEP, status=status_text(order.status), action=ACTION_TEXT[action][0])


def require_step(order: NursingOrder, action: str) -> None:
    """Refuse early (before other work) when the step cannot start from the order's state."""
    allowed, _ = STEPS[action]
    if order.status not in allowed:
        raise _refuse(order, action)


def record_event(session: AsyncSession, order: NursingOrder, *, action: str, from_status: str | None,
                 to_status: str, actor: Actor | None, note: str = "", at: datetime | None = None) -> None:
    session.add(NursingOrderEvent(
        order_id=order.id, institution_id=order.institution_id, from_status=from_status, to_status=to_status,
        action=action, actor_account_id=actor.account_id if actor else None,
        actor_role=actor.role if actor else "system", note=note[:256], at=at or utcnow()))
    audit.record(session, actor or audit.SYSTEM, f"nursing.{action}", patient_id=order.patient_id,
                 resource_type="NursingOrder", resource_id=order.id, institution_id=order.institution_id,
                 detail={"from": from_status, "to": to_status})


async def step(session: AsyncSession, order: NursingOrder, action: str, actor: Actor | None, *, note: str = "",
               **values: Any) -> NursingOrder:
    """Take ``action`` once: conditional update of the state (and ``values``), event, audit. 409 if not allowed."""
    allowed, target = STEPS[action]
    before = order.status
    to = target or before
    now = utcnow()
    result = await session.execute(
        update(NursingOrder).where(NursingOrder.id == order.id, NursingOrder.status.in_(allowed))
        .values(status=to, updated_at=now, **values).execution_options(synchronize_session=False))
    if getattr(result, "rowcount", 0) != 1:
        await session.refresh(order)
        raise _refuse(order, action)
    await session.refresh(order)
    record_event(session, order, action=action, from_status=before, to_status=to, actor=actor, note=note, at=now)
    return order
