"""The region's directory: institutions, groups, departments, rooms, practitioners and credentials."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.auth.deps import CurrentActor, MaybeActor
from yihu.auth.policy import require_institution_staff, require_role
from yihu.db import utcnow
from yihu.errors import FORBIDDEN, DomainError
from yihu.kit import audit, clock
from yihu.kit.context import current_lang
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.registry import codes, directory, schemas, stats
from yihu.registry.models import Credential, Department, Institution, Practitioner, Room

router = APIRouter(tags=["registry"], route_class=CommittingRoute)

Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=200)]


def _label(table: dict[str, tuple[str, str]], key: str) -> str:
    zh, en = table.get(key, (key, key))
    return en if current_lang() == "en" else zh


def institution_out(i: Institution) -> schemas.InstitutionOut:
    return schemas.InstitutionOut(id=i.id, code=i.code, name=i.name, kind=i.kind,
                                  kind_label=_label(codes.INSTITUTION_KINDS, i.kind), address=i.address,
                                  latitude=i.latitude, longitude=i.longitude, phone=i.phone, group_id=i.group_id)


@router.get("/codes", summary="Code lists (kinds, title ladders, clinical subjects, credentials, relations)")
async def code_lists() -> dict[str, Any]:
    lang = current_lang()

    def table(t: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
        return [{"code": k, "label": en if lang == "en" else zh} for k, (zh, en) in t.items()]

    return {
        "institution_kinds": table(codes.INSTITUTION_KINDS),
        "practitioner_kinds": table(codes.PRACTITIONER_KINDS),
        "titles": {k: [{"code": c, "label": en if lang == "en" else zh, "rank": i} for i, (c, zh, en) in enumerate(v)]
                   for k, v in codes.TITLE_LADDERS.items()},
        "clinical_subjects": table(codes.CLINICAL_SUBJECTS),
        "credential_kinds": table(codes.CREDENTIAL_KINDS),
        "card_types": table(codes.CARD_TYPES),
        "relations": table(codes.RELATIONS),
        "room_kinds": table(codes.ROOM_KINDS),
    }


@router.get("/institutions", response_model=schemas.Page[schemas.InstitutionOut])
async def list_institutions(session: SessionDep, kind: str | None = None, group_id: str | None = None,
                            name: Annotated[str | None, Query(max_length=64)] = None, offset: Offset = 0,
                            limit: Limit = 50) -> schemas.Page[schemas.InstitutionOut]:
    rows, total = await directory.list_institutions(session, kind=kind, group_id=group_id, name=name, offset=offset,
                                                    limit=limit)
    return schemas.Page(items=[institution_out(i) for i in rows], total=total, offset=offset, limit=limit)


@router.get("/institutions/{institution_id}", response_model=schemas.InstitutionOut)
async def get_institution(institution_id: str, session: SessionDep) -> schemas.InstitutionOut:
    return institution_out(await directory.get_institution(session, institution_id))


@router.post("/institutions", response_model=schemas.InstitutionOut, status_code=status.HTTP_201_CREATED)
async def create_institution(body: schemas.InstitutionIn, session: SessionDep,
                             actor: CurrentActor) -> schemas.InstitutionOut:
    require_role(actor, "system_admin")
    inst = await directory.create_institution(session, directory.InstitutionInput(**body.model_dump()))
    audit.record(session, actor, "institution.create", resource_type="Organization", resource_id=inst.id,
                 institution_id=inst.id)
    return institution_out(inst)


@router.get("/medical-groups", response_model=list[schemas.GroupOut])
async def list_groups(session: SessionDep) -> list[schemas.GroupOut]:
    out = []
    for g in await directory.groups(session):
        members = (await session.scalars(select(Institution.id).where(Institution.group_id == g.id)
                                         .order_by(Institution.code))).all()
        out.append(schemas.GroupOut(id=g.id, code=g.code, name=g.name, kind=g.kind,
                                    lead_institution_id=g.lead_institution_id, member_ids=list(members)))
    return out


def _department_out(d: Department) -> schemas.DepartmentOut:
    return schemas.DepartmentOut(id=d.id, institution_id=d.institution_id, code=d.code, name=d.name,
                                 description=d.description)


@router.get("/institutions/{institution_id}/departments", response_model=list[schemas.DepartmentOut])
async def list_departments(institution_id: str, session: SessionDep) -> list[schemas.DepartmentOut]:
    await directory.get_institution(session, institution_id)
    return [_department_out(d) for d in await directory.departments(session, institution_id)]


@router.post("/institutions/{institution_id}/departments", response_model=schemas.DepartmentOut,
             status_code=status.HTTP_201_CREATED)
async def create_department(institution_id: str, body: schemas.DepartmentIn, session: SessionDep,
                            actor: CurrentActor) -> schemas.DepartmentOut:
    require_institution_staff(actor, institution_id, "institution_admin")
    d = await directory.create_department(session, institution_id, body.code, body.name, body.description)
    audit.record(session, actor, "department.create", resource_type="Department", resource_id=d.id)
    return _department_out(d)


def _room_out(r: Room) -> schemas.RoomOut:
    return schemas.RoomOut(id=r.id, institution_id=r.institution_id, department_id=r.department_id, code=r.code,
                           name=r.name, kind=r.kind)


@router.get("/institutions/{institution_id}/rooms", response_model=list[schemas.RoomOut])
async def list_rooms(institution_id: str, session: SessionDep) -> list[schemas.RoomOut]:
    await directory.get_institution(session, institution_id)
    return [_room_out(r) for r in await directory.rooms(session, institution_id)]


@router.post("/institutions/{institution_id}/rooms", response_model=schemas.RoomOut,
             status_code=status.HTTP_201_CREATED)
async def create_room(institution_id: str, body: schemas.RoomIn, session: SessionDep,
                      actor: CurrentActor) -> schemas.RoomOut:
    require_institution_staff(actor, institution_id, "institution_admin")
    r = await directory.create_room(session, institution_id, code=body.code, name=body.name, kind=body.kind,
                                    department_id=body.department_id)
    audit.record(session, actor, "room.create", resource_type="Location", resource_id=r.id)
    return _room_out(r)


# ---- practitioners ----

def _credential_out(c: Credential, today: date) -> schemas.CredentialOut:
    return schemas.CredentialOut(id=c.id, kind=c.kind, kind_label=_label(codes.CREDENTIAL_KINDS, c.kind),
                                 number=c.number, issuer=c.issuer, issued_on=c.issued_on, expires_on=c.expires_on,
                                 valid_today=directory.credential_valid_on(c, today))


async def practitioners_out(session: SessionDep, actor: Actor | None,
                            rows: list[Practitioner]) -> list[schemas.PractitionerOut]:
    today = clock.today()
    ids = [p.id for p in rows]
    roles = await directory.roles_of(session, ids)
    private_ids = [p.id for p in rows if policy.may_see_credentials(actor, p.registered_institution_id)]
    creds = await directory.credentials_of(session, private_ids)
    out = []
    for p in rows:
        item = schemas.PractitionerOut(
            id=p.id, name=p.name, sex=p.sex, kind=p.kind, title=p.title,
            title_label=codes.title_label(p.kind, p.title, current_lang()),
            registered_institution_id=p.registered_institution_id, practice_start=p.practice_start,
            years_of_practice=directory.years_of_practice(p, today),
            roles=[schemas.PractitionerRoleOut(id=r.id, institution_id=r.institution_id,
                                               department_id=r.department_id, role=r.role) for r in roles[p.id]],
        )
        if p.id in creds:
            item.licence_no = p.licence_no
            item.licence_valid_until = p.licence_valid_until
            item.suspended = p.suspended
            item.suspended_reason = p.suspended_reason
            item.credentials = [_credential_out(c, today) for c in creds[p.id]]
        out.append(item)
    return out


@router.get("/practitioners", response_model=schemas.Page[schemas.PractitionerOut])
async def list_practitioners(session: SessionDep, actor: MaybeActor, institution_id: str | None = None,
                             kind: str | None = None, department_id: str | None = None,
                             name: Annotated[str | None, Query(max_length=64)] = None, offset: Offset = 0,
                             limit: Limit = 50) -> schemas.Page[schemas.PractitionerOut]:
    rows, total = await directory.list_practitioners(session, institution_id=institution_id, kind=kind,
                                                     department_id=department_id, name=name, offset=offset,
                                                     limit=limit)
    return schemas.Page(items=await practitioners_out(session, actor, rows), total=total, offset=offset, limit=limit)


@router.get("/practitioners/{practitioner_id}", response_model=schemas.PractitionerOut)
async def get_practitioner(practitioner_id: str, session: SessionDep, actor: MaybeActor) -> schemas.PractitionerOut:
    p = await directory.get_practitioner(session, practitioner_id)
    return (await practitioners_out(session, actor, [p]))[0]


@router.post("/institutions/{institution_id}/practitioners", response_model=schemas.PractitionerOut,
             status_code=status.HTTP_201_CREATED)
async def create_practitioner(institution_id: str, body: schemas.PractitionerIn, session: SessionDep,
                              actor: CurrentActor) -> schemas.PractitionerOut:
    require_institution_staff(actor, institution_id, "institution_admin")
    p = await directory.create_practitioner(session, institution_id, directory.PractitionerInput(**body.model_dump()))
    audit.record(session, actor, "practitioner.create", resource_type="Practitioner", resource_id=p.id)
    return (await practitioners_out(session, actor, [p]))[0]


async def _own_practitioner(session: SessionDep, actor: Actor, practitioner_id: str,
                            regulator_too: bool = False) -> Practitioner:
    p = await directory.get_practitioner(session, practitioner_id)
    policy.require_practitioner_manager(actor, p.registered_institution_id, regulator_too=regulator_too)
    return p


@router.post("/practitioners/{practitioner_id}/credentials", response_model=schemas.CredentialOut,
             status_code=status.HTTP_201_CREATED)
async def add_credential(practitioner_id: str, body: schemas.CredentialIn, session: SessionDep,
                         actor: CurrentActor) -> schemas.CredentialOut:
    await _own_practitioner(session, actor, practitioner_id)
    c = await directory.add_credential(session, practitioner_id, **body.model_dump())
    audit.record(session, actor, "credential.add", resource_type="Practitioner", resource_id=practitioner_id,
                 detail={"kind": c.kind})
    return _credential_out(c, clock.today())


@router.post("/practitioners/{practitioner_id}/suspension", response_model=schemas.PractitionerOut)
async def set_suspension(practitioner_id: str, body: schemas.SuspensionIn, session: SessionDep,
                         actor: CurrentActor) -> schemas.PractitionerOut:
    await _own_practitioner(session, actor, practitioner_id, regulator_too=True)
    p = await directory.set_suspension(session, practitioner_id, suspended=body.suspended, reason=body.reason)
    audit.record(session, actor, "practitioner.suspend" if body.suspended else "practitioner.reinstate",
                 resource_type="Practitioner", resource_id=p.id, institution_id=p.registered_institution_id)
    return (await practitioners_out(session, actor, [p]))[0]


@router.get("/overview", response_model=schemas.Overview,
            summary="Counts per institution: all for a regulator, one's own for institution staff")
async def overview(session: SessionDep, actor: CurrentActor) -> schemas.Overview:
    if actor.role == "regulator":
        scope = None
    elif actor.is_staff and actor.institution_id:
        scope = actor.institution_id
    else:
        raise DomainError(FORBIDDEN)
    counts = await stats.per_institution(session, scope)
    items = []
    totals: dict[str, int] = {}
    for inst in await stats.institutions_for_overview(session, scope):
        c = counts.get(inst.id, {})
        row = {k: int(c.get(k, 0)) for k in ("departments", "doctors", "nurses", "pharmacists", "suspended",
                                              "patients")}
        for k, v in row.items():
            totals[k] = totals.get(k, 0) + v
        items.append(schemas.InstitutionStats(institution=institution_out(inst), **row))
    totals["institutions"] = len(items)
    return schemas.Overview(generated_at=utcnow(), institutions=items, totals=totals)
