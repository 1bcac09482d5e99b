"""Error responses: every refusal names the field and the rule, in one shape.

``{"detail": "...", "errors": [{"field", "rule", "message"}]}`` — never the refused value.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import JSONResponse
from schemas.privacy import format_path
from services.core.errors import NotFound
from services.core.ports import Unavailable
from services.governance.membership import UnknownMunicipalities

RETRY_AFTER_SECONDS = 5


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, object]:
    body: dict[str, object] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(error_body(str(exc)), status_code=404)

    @app.exception_handler(Unavailable)
    async def _unavailable(_: Request, exc: Unavailable) -> JSONResponse:
        return JSONResponse(
            error_body(f"Temporarily unavailable, nothing was stored: {exc}"),
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(UnknownMunicipalities)
    async def _unknown(_: Request, exc: UnknownMunicipalities) -> JSONResponse:
        errors = [
            {"field": f"members[{i}]", "rule": "unknown_municipality", "message": "Unknown municipality"}
            for i, _code in enumerate(exc.codes)
        ]
        return JSONResponse(error_body("Unknown municipality codes", errors), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": format_path(tuple(e["loc"][1:] if len(e["loc"]) > 1 else e["loc"])),
                "rule": e["type"],
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        return JSONResponse(error_body("Invalid request", errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(str(exc.detail)), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )
