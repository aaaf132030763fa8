"""Online nursing consultation: the nurse's proposed home visit and the resident's answer (the closed loop).

A proposal is a structured message (``author_role`` ``proposal``, JSON text): the item (offered by the institution,
current price shown), the day and window, the address given by the nurse or the one the resident gave when asking.
The resident confirms it, which places the order (``orders.place``, status ``requested``, with ``consult_id`` and
``proposed_by_nurse_id``; the consultation keeps ``proposed_order_id``), or declines it. Only the latest proposal
without a decision can be answered; one consultation leads to one order at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import FORBIDDEN, DomainError
from yihu.kit import clock
from yihu.notify import service as notify
from yihu.nursing import catalogue, consult, errors, orders, pay_errors
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingConsult, NursingConsultMessage


@dataclass(frozen=True)
class ProposalInput:
    item_id: str
    day: date
    window_start: datetime
    window_end: datetime
    home: consult.Home | None = None
    note: str = ""


def proposal_states(msgs: list[NursingConsultMessage]) -> dict[str, str]:
    """Each proposal's state: confirmed / declined (by a decision), superseded (by a newer one) or pending."""
    proposals = [m.id for m in msgs if m.author_role == "proposal"]
    decided = {d["proposal_id"]: d["decision"] for m in msgs if m.author_role == "decision" and (d := consult.data_of(m))}
    return {pid: decided.get(pid) or ("pending" if pid == proposals[-1] else "superseded") for pid in proposals}


def _check_window(p: ProposalInput) -> None:
    now = utcnow()
    today = clock.local_date(now)
    s, e = p.window_start, p.window_end
    if (s.tzinfo is None or e.tzinfo is None or e <= s or s < now or e - s > timedelta(hours=12)
            or clock.local_date(s) != p.day or clock.local_date(e) != p.day
            or not today <= p.day <= today + timedelta(days=orders.MAX_DAYS_AHEAD)):
        raise DomainError(errors.WINDOW_INVALID, max_days=orders.MAX_DAYS_AHEAD)


async def propose(session: AsyncSession, actor: Actor, c: NursingConsult, p: ProposalInput) -> NursingConsultMessage:
    """The nurse who answered proposes a home visit: an item the institution offers, a day and window, the address
    given here or the one the resident gave when asking."""
    consult.require_participant(actor, c)
    consult.refuse_closed(c)
    if actor.role != "nurse":
        raise DomainError(FORBIDDEN)
    if c.nurse_id is None:
        raise DomainError(pay_errors.CONSULT_NOT_ANSWERED)
    if c.proposed_order_id is not None:
        raise DomainError(pay_errors.CONSULT_ORDERED)
    item = await catalogue.get_item(session, p.item_id)
    if not item.active or not await catalogue.is_offered(session, c.institution_id, item.id):
        raise DomainError(errors.NOT_OFFERED)
    _check_window(p)
    home = p.home or consult.home_of(await consult.messages(session, c.id))
    if home is None:
        raise DomainError(pay_errors.ADDRESS_REQUIRED)
    consult.check_home(home)
    v = await catalogue.current(session, item)
    msg = consult.structured(c, actor, "proposal", {
        "item_id": item.id, "item_code": item.code, "item_name": v.name_zh, "price_fen": v.price_fen,
        "visit_fee_fen": v.visit_fee_fen, "day": p.day.isoformat(), "window_start": p.window_start.isoformat(),
        "window_end": p.window_end.isoformat(), "address": home.address.strip(), "latitude": home.latitude,
        "longitude": home.longitude, "note": p.note.strip()[:500]})
    session.add(msg)
    c.updated_at = utcnow()
    await session.flush()
    consult.tell_asker(session, c, "proposal")
    return msg


async def _pending_proposal(session: AsyncSession, c: NursingConsult,
                            proposal_id: str) -> tuple[NursingConsultMessage, dict[str, Any]]:
    msgs = await consult.messages(session, c.id)
    target = next((m for m in msgs if m.id == proposal_id and m.author_role == "proposal"), None)
    if target is None:
        raise DomainError(pay_errors.PROPOSAL_NOT_FOUND)
    if proposal_states(msgs)[proposal_id] != "pending":
        raise DomainError(pay_errors.PROPOSAL_STALE)
    data = consult.data_of(target)
    assert data is not None  # noqa: S101 - a proposal is structured
    return target, data


async def decide(session: AsyncSession, actor: Actor, c: NursingConsult, proposal_id: str, *, confirm: bool,
                 reason: str = "") -> NursingOrder | None:
    """The resident confirms (an order is placed once; a second confirmation is a 409 and places nothing) or
    declines the pending proposal."""
    if not consult.is_asker(actor, c):
        raise DomainError(FORBIDDEN)
    consult.refuse_closed(c)
    if c.proposed_order_id is not None:
        raise DomainError(pay_errors.CONSULT_ORDERED)
    proposal, data = await _pending_proposal(session, c, proposal_id)
    if not confirm:
        session.add(consult.structured(c, actor, "decision", {"proposal_id": proposal_id, "decision": "declined",
                                                       "reason": reason.strip()[:256]}))
        c.updated_at = utcnow()
        await session.flush()
        return None
    placed = await orders.place(session, actor, orders.OrderInput(
        patient_id=c.patient_id, institution_id=c.institution_id, item_id=data["item_id"], address=data["address"],
        latitude=float(data["latitude"]), longitude=float(data["longitude"]), day=date.fromisoformat(data["day"]),
        window_start=datetime.fromisoformat(data["window_start"]),
        window_end=datetime.fromisoformat(data["window_end"]), condition=f"护理咨询：{c.subject}"[:500]),
        consult_id=c.id, proposed_by_nurse_id=c.nurse_id)
    order = placed[0]
    done = await session.execute(
        update(NursingConsult).where(NursingConsult.id == c.id, NursingConsult.proposed_order_id.is_(None),
                                     NursingConsult.status != "closed")
        .values(proposed_order_id=order.id, updated_at=utcnow()).execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(pay_errors.CONSULT_ORDERED)  # a concurrent confirmation won; this request rolls back
    await session.refresh(c)
    session.add(consult.structured(c, actor, "decision", {"proposal_id": proposal_id, "decision": "confirmed",
                                                   "order_id": order.id}))
    notify.enqueue_inapp(session, account_id=proposal.author_account_id, template="nursing_status", params={
        "number": order.number, "item": data["item_name"], "status": "居民已确认上门建议", "detail": ""})
    await session.flush()
    return order
