"""``/v1/technologies/{code}/diffusion``: how many members had reached each phase, quarter by quarter."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import READER, PlatformDep
from api.models.insights import DiffusionOut
from api.responses import CSV_RESPONSE, JSONResponse, csv_response, not_found, wants_csv
from api.routes.parameters import AcceptHeader, Format
from services.insights.diffusion import DIFFUSION_ROW_FIELDS

router = APIRouter(prefix="/v1/technologies", tags=["insights"], dependencies=[READER])


@router.get(
    "/{code}/diffusion",
    response_model=DiffusionOut,
    responses={**CSV_RESPONSE, **not_found("Unknown code")},
    summary="How many members had reached each phase by each quarter since 2017",
)
async def diffusion(
    code: str, platform: PlatformDep, format: Format = None, accept: AcceptHeader = None
) -> Response:
    today = platform.clock().date()
    view = await run_in_threadpool(platform.insights.diffusion, code, today)
    if wants_csv(accept, format):
        return csv_response(view["quarters"], DIFFUSION_ROW_FIELDS)
    return JSONResponse(view)
