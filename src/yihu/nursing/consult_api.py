"""Online nursing consultation: ask (text, photos), answer, talk, propose a visit, confirm or decline, close."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.auth.deps import CurrentActor, CurrentResident
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.nursing import consult, consult_proposals
from yihu.nursing import consult_schemas as s
from yihu.nursing.models import NursingDocument
from yihu.nursing.visit_models import NursingConsult, NursingConsultMessage
from yihu.registry import service as registry
from yihu.registry.models import Institution, Practitioner

router = APIRouter(tags=["nursing"], route_class=CommittingRoute)


def _photos(items: list[s.PhotoIn]) -> list[consult.Photo]:
    return consult.decode_photos([(p.filename, p.data_base64) for p in items])


def _home(h: s.HomeIn | None) -> consult.Home | None:
    return None if h is None else consult.Home(address=h.address, latitude=h.latitude, longitude=h.longitude)


def _message_out(c: NursingConsult, m: NursingConsultMessage, states: dict[str, str],
                 sizes: dict[str, tuple[str, int]]) -> s.MessageOut:
    data = consult.data_of(m)
    return s.MessageOut(
        id=m.id, kind="text" if data is None else m.author_role, author_role=m.author_role,
        text=m.text if data is None else "", data=data, state=states.get(m.id), at=m.at,
        photos=[s.PhotoOut(id=p, content_type=sizes[p][0], size_bytes=sizes[p][1],
                           url=f"/api/v1/nursing/consults/{c.id}/photos/{p}") for p in m.photo_ids if p in sizes])


async def _out(session: SessionDep, rows: Sequence[NursingConsult], *, detail: bool = False) -> list[s.ConsultDetail]:
    if not rows:
        return []
    patients = await registry.names_of(session, list({c.patient_id for c in rows}))
    insts = dict((await session.execute(select(Institution.id, Institution.name).where(
        Institution.id.in_({c.institution_id for c in rows})))).tuples().all())
    nurse_ids = {c.nurse_id for c in rows if c.nurse_id}
    nurses = dict((await session.execute(select(Practitioner.id, Practitioner.name).where(
        Practitioner.id.in_(nurse_ids)))).tuples().all()) if nurse_ids else {}
    out = []
    for c in rows:
        msgs = await consult.messages(session, c.id)
        states = consult_proposals.proposal_states(msgs)
        sizes = await _photo_sizes(session, c.id) if detail else {}
        shown = [_message_out(c, m, states, sizes) for m in msgs]
        proposals = [m for m in shown if m.kind == "proposal"]
        home = consult.home_of(msgs)
        out.append(s.ConsultDetail(
            id=c.id, patient_id=c.patient_id, patient_name=patients.get(c.patient_id, ""),
            institution_id=c.institution_id, institution_name=insts.get(c.institution_id, ""), nurse_id=c.nurse_id,
            nurse_name=nurses.get(c.nurse_id or ""), subject=c.subject, status=c.status, created_at=c.created_at,
            updated_at=c.updated_at, proposed_order_id=c.proposed_order_id,
            proposal=proposals[-1] if proposals else None,
            home=None if home is None else {"address": home.address, "latitude": home.latitude,
                                            "longitude": home.longitude},
            messages=shown if detail else []))
    return out


async def _photo_sizes(session: SessionDep, consult_id: str) -> dict[str, tuple[str, int]]:
    rows = await session.execute(select(NursingDocument.id, NursingDocument.content_type,
                                        NursingDocument.size_bytes).where(NursingDocument.consult_id == consult_id))
    return {i: (ct, n) for i, ct, n in rows.tuples()}


async def _detail(session: SessionDep, c: NursingConsult) -> s.ConsultDetail:
    return (await _out(session, [c], detail=True))[0]


async def _consult(session: SessionDep, consult_id: str, actor: Actor) -> NursingConsult:
    c = await consult.get(session, consult_id)
    consult.require_participant(actor, c)
    return c


@router.post("/nursing/consults", response_model=s.ConsultDetail, status_code=status.HTTP_201_CREATED,
             summary="Ask a nurse of an institution offering home nursing (text, up to 4 JPEG/PNG photos ≤ 2 MB)")
async def open_consult(body: s.ConsultIn, session: SessionDep, actor: CurrentResident) -> s.ConsultDetail:
    await policy.require_patient(session, actor, body.patient_id, "change")
    await registry.get_institution(session, body.institution_id)
    c = await consult.open_consult(session, actor, patient_id=body.patient_id, institution_id=body.institution_id,
                                   subject=body.subject, text=body.text, photos=_photos(body.photos),
                                   home=_home(body.home))
    return await _detail(session, c)


@router.get("/nursing/consults", response_model=list[s.ConsultOut],
            summary="A resident's own consultations; a nurse's: unanswered ones of the institution and own")
async def list_consults(session: SessionDep, actor: CurrentActor,
                        status_: Annotated[Literal["open", "answered", "closed"] | None, Query(alias="status")] = None,
                        limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[s.ConsultDetail]:
    q = select(NursingConsult).where(consult.scope(actor))
    if status_:
        q = q.where(NursingConsult.status == status_)
    rows = (await session.scalars(q.order_by(NursingConsult.updated_at.desc(), NursingConsult.id).limit(limit))).all()
    return await _out(session, rows)


@router.get("/nursing/consults/{consult_id}", response_model=s.ConsultDetail)
async def get_consult(consult_id: str, session: SessionDep, actor: CurrentActor) -> s.ConsultDetail:
    return await _detail(session, await _consult(session, consult_id, actor))


@router.get("/nursing/consults/{consult_id}/photos/{document_id}",
            summary="A photo of the consultation (its participants only)")
async def get_photo(consult_id: str, document_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    c = await consult.get(session, consult_id)
    doc = await consult.photo(session, actor, c, document_id)
    return Response(doc.data, media_type=doc.content_type, headers={"Cache-Control": "no-store"})


@router.post("/nursing/consults/{consult_id}/messages", response_model=s.ConsultDetail,
             status_code=status.HTTP_201_CREATED,
             summary="Write (resident who asked, or a nurse: the first nurse to answer takes the consultation)")
async def add_message(consult_id: str, body: s.MessageIn, session: SessionDep, actor: CurrentActor) -> s.ConsultDetail:
    c = await consult.get(session, consult_id)
    await consult.add_message(session, actor, c, body.text, _photos(body.photos))
    return await _detail(session, c)


@router.post("/nursing/consults/{consult_id}/proposals", response_model=s.ConsultDetail,
             status_code=status.HTTP_201_CREATED, summary="The answering nurse proposes a home visit")
async def propose(consult_id: str, body: s.ProposalIn, session: SessionDep, actor: CurrentActor) -> s.ConsultDetail:
    c = await _consult(session, consult_id, actor)
    await consult_proposals.propose(session, actor, c, consult_proposals.ProposalInput(
        item_id=body.item_id, day=body.day, window_start=body.window_start, window_end=body.window_end,
        home=_home(body.home), note=body.note))
    return await _detail(session, c)


@router.post("/nursing/consults/{consult_id}/proposals/{proposal_id}/confirm", response_model=s.DecisionOut,
             status_code=status.HTTP_201_CREATED,
             summary="The resident confirms the proposed visit: an order is placed (status requested)")
async def confirm(consult_id: str, proposal_id: str, session: SessionDep, actor: CurrentResident) -> s.DecisionOut:
    c = await _consult(session, consult_id, actor)
    await policy.require_patient(session, actor, c.patient_id, "change")
    order = await consult_proposals.decide(session, actor, c, proposal_id, confirm=True)
    return s.DecisionOut(consult=await _detail(session, c), order_id=order.id if order else None)


@router.post("/nursing/consults/{consult_id}/proposals/{proposal_id}/decline", response_model=s.DecisionOut,
             summary="The resident declines the proposed visit")
async def decline(consult_id: str, proposal_id: str, body: s.DeclineIn, session: SessionDep,
                  actor: CurrentResident) -> s.DecisionOut:
    c = await _consult(session, consult_id, actor)
    await consult_proposals.decide(session, actor, c, proposal_id, confirm=False, reason=body.reason)
    return s.DecisionOut(consult=await _detail(session, c), order_id=None)


@router.post("/nursing/consults/{consult_id}/close", response_model=s.ConsultDetail,
             summary="Close the consultation (the resident who asked or the nurse who answered)")
async def close(consult_id: str, session: SessionDep, actor: CurrentActor) -> s.ConsultDetail:
    c = await _consult(session, consult_id, actor)
    return await _detail(session, await consult.close(session, actor, c))
