"""``/v1/municipalities/{code}/peers``: members further along with a technology, and why each."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import READER, PlatformDep
from api.models.insights import PeersOut
from api.responses import JSONResponse, not_found
from schemas.events import TechnologyCode

router = APIRouter(prefix="/v1/municipalities", tags=["insights"], dependencies=[READER])


@router.get(
    "/{code}/peers",
    response_model=PeersOut,
    responses=not_found("Unknown code"),
    summary="Member municipalities further along with a technology, with a reason for each",
)
async def peers(
    code: str,
    platform: PlatformDep,
    technology: TechnologyCode,  # type: ignore[valid-type]
) -> Response:
    today = platform.clock().date()
    view = await run_in_threadpool(platform.insights.peers, code, technology, today)
    return JSONResponse(view)
