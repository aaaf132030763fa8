"""The body of a create: JSON of at most 64 KB, of the type in the URL, valid against the R4B model."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource

from yihu.errors import DomainError
from yihu.fhir import errors

MAX_RESOURCE_BYTES = 64 * 1024
JSON_MEDIA = ("application/fhir+json", "application/json")


def model_of(resource_type: str) -> type[Resource]:
    model = get_fhir_model_class(resource_type)
    if not issubclass(model, Resource):
        raise DomainError(errors.UNKNOWN_TYPE, resource_type=resource_type)
    return model


async def _read_bounded(request: Request) -> bytes:
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_RESOURCE_BYTES:
            raise DomainError(errors.INVALID_JSON)
        chunks.append(chunk)
    return b"".join(chunks)


def _elements(exc: ValueError) -> str:
    """The failing element paths only: the submitted values are never echoed (they may be personal data)."""
    errs = getattr(exc, "errors", None)
    if not callable(errs):
        return "?"
    paths = [".".join(str(p) for p in e.get("loc", ())) or "(root)" for e in errs()]
    return ", ".join(sorted(set(paths))[:5])


async def read_resource(request: Request, resource_type: str) -> tuple[dict[str, Any], Resource]:
    """The posted JSON (for the idempotency fingerprint) and the validated resource."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_MEDIA:
        raise DomainError(errors.UNSUPPORTED_FORMAT)
    try:
        raw = json.loads(await _read_bounded(request))
    except (UnicodeDecodeError, ValueError):
        raise DomainError(errors.INVALID_JSON) from None
    if not isinstance(raw, dict):
        raise DomainError(errors.INVALID_JSON)
    if raw.get("resourceType") != resource_type:
        raise DomainError(errors.WRONG_TYPE, resource_type=resource_type)
    try:
        resource = model_of(resource_type).model_validate(raw)
    except (ValueError, TypeError) as exc:
        raise DomainError(errors.INVALID_RESOURCE, resource_type=resource_type,
                          elements=_elements(exc) if isinstance(exc, ValueError) else "?") from None
    return raw, resource
