"""Searchset bundles with absolute paging links built from the request's base URL."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from yihu.fhir.search import SearchRequest


def searchset(base: str, resource_type: str, req: SearchRequest, resources: list[Resource], total: int) -> Bundle:
    """``base`` is the absolute URL of the FHIR endpoint, e.g. ``https://host/fhir``."""
    url = f"{base}/{resource_type}"

    def link(relation: str, offset: int) -> dict[str, str]:
        return {"relation": relation, "url": f"{url}?{req.query_string(offset=offset)}"}

    links = [link("self", req.offset), link("first", 0)]
    if req.count > 0:
        if req.offset > 0:
            links.append(link("previous", max(req.offset - req.count, 0)))
        if req.offset + req.count < total:
            links.append(link("next", req.offset + req.count))
        last = max((total - 1) // req.count * req.count, 0)
        links.append(link("last", last))
    return Bundle.model_validate({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [{"fullUrl": f"{url}/{r.id}", "resource": r, "search": {"mode": "match"}} for r in resources],
    })
