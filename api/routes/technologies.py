"""``/v1/technologies``: the list, one technology across the members, and its diffusion."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import READER, PlatformDep, Reader
from api.models.common import ErrorOut
from api.models.insights import DiffusionOut
from api.models.technologies import TechnologyOut, TechnologyViewOut
from api.responses import CSV_RESPONSE, JSONResponse, csv_response, model_response, wants_csv
from api.routes.parameters import AcceptHeader, Format
from api.suppressed import alarm_hidden
from services.governance.suppression import suppress_alarm_summary
from services.insights.diffusion import DIFFUSION_ROW_FIELDS

router = APIRouter(prefix="/v1/technologies")


@router.get("", response_model=list[TechnologyOut], tags=["views"])
def technologies(platform: PlatformDep, principal: Reader) -> Any:
    return platform.queries.technologies()


@router.get(
    "/{code}",
    response_model=TechnologyViewOut,
    responses={404: {"model": ErrorOut, "description": "Unknown code or id"}},
    tags=["views"],
)
def technology(code: str, platform: PlatformDep, principal: Reader) -> Any:
    view = platform.queries.technology(code)
    if view.get("alarms") and not principal.viewer.sees_all:
        hidden = alarm_hidden(platform, principal.viewer)
        view["alarms"] = suppress_alarm_summary(view["alarms"], hidden, technology=code)
    return model_response(TechnologyViewOut, view)


@router.get(
    "/{code}/diffusion",
    response_model=DiffusionOut,
    responses={**CSV_RESPONSE, 404: {"model": ErrorOut, "description": "Unknown code"}},
    summary="How many members had reached each phase by each quarter since 2017",
    tags=["insights"],
    dependencies=[READER],
)
async def diffusion(
    code: str, platform: PlatformDep, format: Format = None, accept: AcceptHeader = None
) -> Response:
    today = platform.clock().date()
    view = await run_in_threadpool(platform.insights.diffusion, code, today)
    if wants_csv(accept, format):
        return csv_response(view["quarters"], DIFFUSION_ROW_FIELDS)
    return JSONResponse(view)
