"""``/v1/events``: municipalities post pilot events; anyone may ask what became of one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import PlatformDep, Reader
from api.errors import error_body, field_error
from api.models.common import ErrorOut
from api.models.events import BatchOut, EventAcceptedOut, EventRefusedOut, EventStatusOut
from api.platform import ApiPlatform
from api.responses import JSONResponse
from api.security.policies import municipality_writer
from api.security.principal import Principal, writer_scope
from api.writes import Write, audited, ingest_items
from services.intake.events import NOT_PERMITTED, IngestResult

router = APIRouter(prefix="/v1/events", tags=["events"])
Submission = Annotated[Write, audited("events.submit", municipality_writer)]

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
_DETAIL = {409: "event_id already used for other content", 403: "Not permitted", 422: "Event refused"}


@router.post(
    "",
    status_code=202,
    summary="Submit one event (202) or an array of up to 1000 (200, one result each)",
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses={
        200: {"model": BatchOut, "description": "Array submitted: one result per item, in order"},
        202: {"model": EventAcceptedOut, "description": "Accepted (or a harmless duplicate)"},
        403: {"model": EventRefusedOut, "description": "Not permitted: scope, or another municipality"},
        409: {"model": EventRefusedOut, "description": "event_id already used for other content"},
        422: {"model": EventRefusedOut | ErrorOut, "description": "Refused: each failing field and rule"},
        503: {"model": ErrorOut, "description": "Event log unavailable; nothing stored, retry"},
    },
)
async def post_events(write: Submission, platform: PlatformDep) -> JSONResponse:
    parsed = write.json()
    if isinstance(parsed, list):
        if len(parsed) > MAX_BATCH:
            write.result(422, reason="too many events")
            message = f"At most {MAX_BATCH} events per request"
            return JSONResponse(error_body("Too many events", [field_error("$", "max_items", message)]), 422)
        results = await _submit(write.principal, platform, parsed)
        write.result(200, ingest_items(results))
        body: dict[str, Any] = {"results": [r.as_dict() for r in results]}
        for outcome in ("accepted", "duplicate", "refused", "conflict"):
            body[outcome] = sum(1 for r in results if r.outcome == outcome)
        return JSONResponse(body, status_code=200)
    (result,) = await _submit(write.principal, platform, [parsed])
    status = _status(result)
    write.result(status, ingest_items([result]))
    if status == 202:
        return JSONResponse({"event_id": result.event_id, "status": result.outcome}, status_code=202)
    refused = {
        "event_id": result.event_id,
        "status": result.outcome,
        "detail": _DETAIL[status],
        "errors": [e.as_dict() for e in result.errors],
    }
    return JSONResponse(refused, status_code=status)


def _status(result: IngestResult) -> int:
    """202 taken; 403 another's data; 409 an event_id reused for other content; else 422."""
    if result.outcome in ("accepted", "duplicate"):
        return 202
    if any(e.rule == NOT_PERMITTED for e in result.errors):
        return 403
    return 409 if result.outcome == "conflict" else 422


async def _submit(principal: Principal, platform: ApiPlatform, items: list[Any]) -> list[IngestResult]:
    # Validation is CPU work and the log/store calls block: keep them off the event loop.
    municipality, _ = writer_scope(principal)
    return await run_in_threadpool(platform.ingest.submit, items, "api", municipality)


@router.get(
    "/{event_id}",
    response_model=EventStatusOut,
    response_model_exclude_none=True,
    responses={404: {"model": ErrorOut}},
    summary="accepted (in the log), processed (in the views) or rejected (with the reason)",
)
def get_event(event_id: str, platform: PlatformDep, principal: Reader) -> Any:
    return platform.queries.event_status(event_id)
