"""HL7 FHIR R4 API: mappers over the same domain tables, errors as OperationOutcome.

``GET /fhir/metadata``, ``GET /fhir/{type}/{id}``, ``GET /fhir/{type}?...`` and ``POST /fhir/{type}/_search``
(form body) for every type in the handler registry, and ``POST /fhir/{type}`` for the types that declare
``create`` (an optional ``Idempotency-Key`` makes retries replay the first answer). Every response body is a
validated ``fhir.resources`` model.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from fhir.resources.R4B.resource import Resource

from yihu.auth import policy
from yihu.auth.deps import MaybeActor
from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir import errors
from yihu.fhir.body import model_of, read_resource
from yihu.fhir.bundle import searchset
from yihu.fhir.capability import capability_statement
from yihu.fhir.handlers import HANDLERS, ResourceHandler
from yihu.fhir.handlers.base import Context
from yihu.fhir.outcome import FHIR_JSON, informational, outcome_response
from yihu.fhir.search import check_format, parse
from yihu.kit import idempotency
from yihu.kit.context import current_lang
from yihu.kit.routing import CommittingRoute, SessionDep

router = APIRouter(tags=["fhir"], route_class=CommittingRoute)

MAX_FORM_BYTES = 64 * 1024
_TYPE_NAME = re.compile(r"[A-Za-z]{1,64}")
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def fhir_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def respond(resource: Resource, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(resource.model_dump(mode="json", exclude_none=True), status_code=status,
                        media_type=FHIR_JSON, headers=headers)


def handler_for(resource_type: str) -> ResourceHandler:
    handler = HANDLERS.get(resource_type)
    if handler is None:
        shown = resource_type if _TYPE_NAME.fullmatch(resource_type) else "?"
        raise DomainError(errors.UNKNOWN_TYPE, resource_type=shown)
    return handler


async def _search(request: Request, resource_type: str, items: list[tuple[str, str]], ctx: Context) -> Response:
    handler = handler_for(resource_type)
    check_format(items, request.headers.get("accept"))
    req = parse(handler.search_params, items, strict=preferences(request).get("handling") == "strict")
    page = await handler.search(ctx, req)
    return respond(searchset(fhir_base(request), resource_type, req, page.resources, page.total))


@router.get("/metadata", summary="CapabilityStatement generated from the served resource handlers")
async def metadata(request: Request) -> Response:
    check_format(request.query_params.multi_items(), request.headers.get("accept"))
    return respond(capability_statement(fhir_base(request), HANDLERS.values()))


@router.get("/{resource_type}", summary="Search (type level)")
async def search_get(resource_type: str, request: Request, session: SessionDep, actor: MaybeActor) -> Response:
    return await _search(request, resource_type, request.query_params.multi_items(), Context(session, actor))


@router.post("/{resource_type}/_search", summary="Search with a form body (keeps search terms out of URLs)")
async def search_post(resource_type: str, request: Request, session: SessionDep, actor: MaybeActor) -> Response:
    handler_for(resource_type)
    body = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and media != "application/x-www-form-urlencoded" or len(body) > MAX_FORM_BYTES:
        raise DomainError(errors.BAD_SEARCH_BODY)
    try:
        form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise DomainError(errors.BAD_SEARCH_BODY) from None
    items = request.query_params.multi_items() + form
    return await _search(request, resource_type, items, Context(session, actor))


@router.get("/{resource_type}/{resource_id}", summary="Read one resource by id")
async def read(resource_type: str, resource_id: str, request: Request, session: SessionDep,
               actor: MaybeActor) -> Response:
    handler = handler_for(resource_type)
    check_format(request.query_params.multi_items(), request.headers.get("accept"))
    if not _FHIR_ID.fullmatch(resource_id):
        raise DomainError(NOT_FOUND, what=resource_type)
    return respond(await handler.read(Context(session, actor), resource_id))


@router.post("/{resource_type}", status_code=201, summary="Create (Appointment: book a Slot for a Patient)")
async def create(resource_type: str, request: Request, session: SessionDep, actor: MaybeActor,
                 idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> Response:
    handler = handler_for(resource_type)
    check_format(request.query_params.multi_items(), request.headers.get("accept"))
    if "create" not in handler.interactions:
        raise DomainError(errors.NOT_SUPPORTED, resource_type=resource_type)
    who = policy.require_actor(actor)
    ctx = Context(session, who)
    raw, resource = await read_resource(request, resource_type)
    await handler.admit_create(ctx)

    async def action() -> tuple[int, Any]:
        created = await handler.create(ctx, resource)
        return 201, created.model_dump(mode="json", exclude_none=True)

    replayed = False
    if idempotency_key is None:
        status, body = await action()
    else:
        status, body, replayed = await idempotency.run(
            request.app.state.db, session, scope=f"acct:{who.account_id}",
            key=idempotency_key, fp=idempotency.fingerprint("POST", f"/fhir/{resource_type}", raw),
            lang=current_lang(), action=action)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    if status >= 400:  # a refusal replayed for a retry of the same key
        return outcome_response(status, str(body["code"]), str(body["message"]), headers)
    created = model_of(resource_type).model_validate(body)
    headers["Location"] = f"{fhir_base(request)}/{resource_type}/{created.id}"
    wanted = preferences(request).get("return")
    if wanted == "minimal":
        return Response(status_code=status, headers=headers)
    if wanted == "OperationOutcome":
        said = f"已创建 {resource_type}/{created.id}。" if current_lang() != "en" else f"Created {resource_type}/{created.id}."
        return JSONResponse(informational(said), status_code=status, media_type=FHIR_JSON, headers=headers)
    return respond(created, status, headers)


def preferences(request: Request) -> dict[str, str]:
    """The ``Prefer`` header (RFC 7240) as name → value: FHIR reads ``handling=strict|lenient`` of a search and
    ``return=minimal|representation|OperationOutcome`` of a create."""
    out: dict[str, str] = {}
    for part in request.headers.get("prefer", "").replace(";", ",").split(","):
        name, _, value = part.partition("=")
        if name.strip():
            out.setdefault(name.strip().lower(), value.strip().strip('"'))
    return out
