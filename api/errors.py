"""Error responses: every refusal names the field and the rule, in one shape.

``{"detail": "...", "errors": [{"field", "rule", "message"}]}`` — never the refused value.
:func:`answer_to` decides the answer to each kind of error in one place, for the handlers
and for the audit of a write that failed (:func:`failure_of`): what is recorded is what the
caller was told.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.middleware.body import BodyRefused
from api.responses import JSONResponse
from schemas.privacy import format_path, redact_identity_numbers
from services.core.errors import NotFound, Refused
from services.core.ports import Unavailable
from services.governance.membership import UnknownMunicipalities

RETRY_AFTER_SECONDS = 5
HANDLED = (
    NotFound,
    Unavailable,
    UnknownMunicipalities,
    Refused,
    BodyRefused,
    RequestValidationError,
    StarletteHTTPException,
)


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, object]:
    """The API's error shape."""
    body: dict[str, object] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


def field_error(field: str, rule: str, message: str) -> dict[str, str]:
    """One entry of ``errors``: where, by which rule, and a message for people."""
    return {"field": field, "rule": rule, "message": message}


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to an error: status, detail, field errors and headers."""

    status: int
    detail: str
    errors: list[dict[str, str]] | None = None
    headers: dict[str, str] | None = None


def answer_to(error: Exception) -> Answer:
    """How the API answers ``error``; 500 for an error it does not expect."""
    if isinstance(error, NotFound):
        return Answer(404, redact_identity_numbers(str(error)))
    if isinstance(error, Refused):
        return Answer(422, "Refused", [field_error(*reason) for reason in error.reasons])
    if isinstance(error, Unavailable):
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return Answer(503, f"Temporarily unavailable, nothing was stored: {error}", headers=retry)
    if isinstance(error, UnknownMunicipalities):
        errors = [
            field_error(f"members[{i}]", "unknown_municipality", "Unknown municipality")
            for i, _code in enumerate(error.codes)
        ]
        return Answer(422, "Unknown municipality codes", errors)
    if isinstance(error, BodyRefused):
        refusal = error.refusal
        return Answer(
            refusal.status, refusal.detail, [field_error(refusal.field, refusal.rule, refusal.message)]
        )
    if isinstance(error, RequestValidationError):
        errors = [
            field_error(
                format_path(tuple(e["loc"][1:] if len(e["loc"]) > 1 else e["loc"])), e["type"], e["msg"]
            )
            for e in error.errors()
        ]
        return Answer(422, "Invalid request", errors)
    if isinstance(error, StarletteHTTPException):
        return Answer(error.status_code, str(error.detail), headers=getattr(error, "headers", None))
    return Answer(500, f"Internal error ({type(error).__name__})")


def failure_of(error: Exception) -> tuple[int, str]:
    """(status, reason) of the answer to ``error``, for the audit log: the detail and the rules."""
    answer = answer_to(error)
    rules = sorted({e["rule"] for e in answer.errors or ()})
    return answer.status, answer.detail + (f": {', '.join(rules)}" if rules else "")


async def _answer(_: Request, error: Exception) -> JSONResponse:
    answer = answer_to(error)
    return JSONResponse(
        error_body(answer.detail, answer.errors), status_code=answer.status, headers=answer.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer the errors the API expects in the error shape (anything else stays a server error)."""
    for kind in HANDLED:
        app.add_exception_handler(kind, _answer)
