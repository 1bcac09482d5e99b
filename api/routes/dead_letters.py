"""``/v1/dead-letters``: why messages were refused, and replaying them after a fix (coordinators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import COORDINATOR, PlatformDep
from api.errors import error_body
from api.models.dead_letters import DeadLetterOut, DeadLettersOut, ReplayIn, ReplayOut
from api.openapi import json_request_body
from api.responses import JSONResponse, not_found
from api.security.policies import coordinator
from api.writes import Write, audited
from services.core.dead_letters import UnknownDeadLetter
from services.governance.audit import replay_audit_items

router = APIRouter(prefix="/v1/dead-letters", tags=["dead-letters"], dependencies=[COORDINATOR])
Replay = Annotated[Write, audited("dead_letters.replay", coordinator)]


@router.get("", response_model=DeadLettersOut, summary="Dead letters, newest first")
async def list_dead_letters(
    platform: PlatformDep,
    reason: Annotated[str | None, Query(max_length=64)] = None,
    topic: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> Any:
    found = await run_in_threadpool(platform.dead_letters.find, reason, topic, limit)
    return {"count": len(found), "items": [s.as_dict() for s in found]}


@router.get(
    "/{letter_id}",
    response_model=DeadLetterOut,
    responses=not_found("Unknown dead-letter id"),
    summary="One dead letter",
)
async def show_dead_letter(letter_id: str, platform: PlatformDep) -> Any:
    try:
        stored = await run_in_threadpool(platform.dead_letters.get, letter_id)
    except UnknownDeadLetter:
        return JSONResponse(error_body(f"Unknown dead letter {letter_id}"), status_code=404)
    return stored.as_dict()


@router.post(
    "/replay",
    response_model=ReplayOut,
    summary="Re-publish the original messages of the given dead letters (event_id kept: never counted twice)",
    openapi_extra=json_request_body(ReplayIn),
)
async def replay_dead_letters(write: Replay, platform: PlatformDep) -> Any:
    body = write.model(ReplayIn)
    results = await run_in_threadpool(platform.dead_letters.replay, body.ids)
    write.result(200, replay_audit_items(results))
    return {
        "replayed": sum(r.status == "replayed" for r in results),
        "results": [{"id": r.id, "status": r.status, "event_id": r.event_id} for r in results],
    }
