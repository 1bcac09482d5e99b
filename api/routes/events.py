"""``/v1/events``: municipalities post pilot events; anyone may ask what became of one."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import MunicipalityWriter, PlatformDep, Reader
from api.errors import error_body
from api.models.common import ErrorOut
from api.models.events import BatchOut, EventAcceptedOut, EventRefusedOut, EventStatusOut
from api.responses import JSONResponse
from api.security.principal import Principal, writer_scope
from services.governance.audit import AuditItem
from services.intake.events import NOT_PERMITTED, IngestResult

router = APIRouter(prefix="/v1/events", tags=["events"])

MAX_BATCH = 1000
_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"$ref": "#/components/schemas/PilotEvent"},
                    {
                        "type": "array",
                        "maxItems": MAX_BATCH,
                        "items": {"$ref": "#/components/schemas/PilotEvent"},
                    },
                ]
            }
        }
    },
}


def _refusal(status: int, detail: str, rule: str, message: str, field: str = "$") -> JSONResponse:
    return JSONResponse(
        error_body(detail, [{"field": field, "rule": rule, "message": message}]), status_code=status
    )


async def _read_json(request: Request, limit: int) -> Any:
    if hasattr(request.state, "json_body"):  # already decoded and checked by api.limits
        return request.state.json_body
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return _refusal(413, "Request body too large", "max_body_bytes", f"At most {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return _refusal(413, "Request body too large", "max_body_bytes", f"At most {limit} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return _refusal(422, "Body is not valid JSON", "invalid_json", "Send one JSON event or an array")


@router.post(
    "",
    status_code=202,
    summary="Submit one event (202) or an array of up to 1000 (200, one result each)",
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses={
        200: {"model": BatchOut, "description": "Array submitted: one result per item, in order"},
        202: {"model": EventAcceptedOut, "description": "Accepted (or a harmless duplicate)"},
        401: {"model": ErrorOut, "description": "No valid bearer token (WWW-Authenticate says why)"},
        403: {"model": EventRefusedOut, "description": "Not permitted: scope, or another municipality"},
        409: {"model": EventRefusedOut, "description": "event_id already used for other content"},
        413: {"model": ErrorOut},
        422: {"model": EventRefusedOut | ErrorOut, "description": "Refused: each failing field and rule"},
        503: {"model": ErrorOut, "description": "Event log unavailable; nothing stored, retry"},
    },
)
async def post_events(request: Request, platform: PlatformDep, principal: MunicipalityWriter) -> JSONResponse:
    parsed = await _read_json(request, platform.settings.max_body_bytes)
    if isinstance(parsed, JSONResponse):
        await _audit(platform, principal, parsed.status_code, [], "body refused")
        return parsed
    if isinstance(parsed, list):
        if len(parsed) > MAX_BATCH:
            await _audit(platform, principal, 422, [], "too many events")
            return _refusal(422, "Too many events", "max_items", f"At most {MAX_BATCH} events per request")
        results = await _submit(principal, platform, parsed)
        await _audit(platform, principal, 200, results)
        body = {"results": [r.as_dict() for r in results]}
        for outcome in ("accepted", "duplicate", "refused", "conflict"):
            body[outcome] = sum(1 for r in results if r.outcome == outcome)
        return JSONResponse(body, status_code=200)
    (result,) = await _submit(principal, platform, [parsed])
    if result.outcome in ("accepted", "duplicate"):
        await _audit(platform, principal, 202, [result])
        return JSONResponse({"event_id": result.event_id, "status": result.outcome}, status_code=202)
    status = 409 if result.outcome == "conflict" else 422
    if any(e.rule == NOT_PERMITTED for e in result.errors):
        status = 403
    detail = {409: "event_id already used for other content", 403: "Not permitted"}.get(
        status, "Event refused"
    )
    await _audit(platform, principal, status, [result])
    return JSONResponse(
        {
            "event_id": result.event_id,
            "status": result.outcome,
            "detail": detail,
            "errors": [e.as_dict() for e in result.errors],
        },
        status_code=status,
    )


async def _submit(principal: Principal, platform: Any, items: list[Any]) -> list[IngestResult]:
    # Validation is CPU work and the log/store calls block: keep them off the event loop.
    municipality, _ = writer_scope(principal)
    return await run_in_threadpool(platform.ingest.submit, items, "api", municipality)


async def _audit(
    platform: Any, principal: Principal, status: int, results: list[IngestResult], reason: str | None = None
) -> None:
    items = [AuditItem(r.event_id, r.outcome, tuple(e.rule for e in r.errors)) for r in results]
    await run_in_threadpool(platform.audit.record, principal.actor, "events.submit", status, items, reason)


@router.get(
    "/{event_id}",
    response_model=EventStatusOut,
    response_model_exclude_none=True,
    responses={404: {"model": ErrorOut}},
    summary="accepted (in the log), processed (in the views) or rejected (with the reason)",
)
def get_event(event_id: str, platform: PlatformDep, principal: Reader) -> Any:
    return platform.queries.event_status(event_id)
