"""OperationOutcome bodies for every error under /fhir, and for a create that asked for one (``Prefer:
return=OperationOutcome``)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

FHIR_JSON = "application/fhir+json"

_ISSUE_CODE = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               406: "not-supported", 409: "conflict", 410: "deleted", 412: "conflict", 413: "too-costly",
               415: "not-supported", 422: "invalid", 423: "lock-error", 429: "throttled", 500: "exception"}


def operation_outcome(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "error" if status < 500 else "fatal",
            "code": _ISSUE_CODE.get(status, "processing"),
            "details": {"coding": [{"system": "https://yihu.example.org/fhir/CodeSystem/error", "code": code}],
                        "text": message},
            "diagnostics": message,
        }],
    }


def outcome_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(operation_outcome(status, code, message), status_code=status, media_type=FHIR_JSON,
                        headers=headers)


def informational(message: str) -> dict[str, Any]:
    """What a create answers when the client prefers an OperationOutcome to the resource."""
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "information", "code": "informational", "diagnostics": message}]}
