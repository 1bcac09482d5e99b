"""Lessons search, benefit realisation, peer matching and diffusion (JSON, or CSV on request)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import PlatformDep
from api.insight_models import BenefitsOut, DiffusionOut, LessonsOut, PeersOut
from api.models import ErrorOut
from api.responses import JSONResponse, csv_bytes, wants_csv
from api.security import READER
from schemas.events import Outcome, PhaseCode, TechnologyCode
from services.insights.benefits import BENEFIT_ROW_FIELDS, BenefitFilter, benefit_rows
from services.insights.diffusion import DIFFUSION_ROW_FIELDS
from services.insights.lessons import LESSON_FIELDS
from services.insights.search import LessonFilter

router = APIRouter(prefix="/v1", tags=["insights"], dependencies=[READER])
RegionCode = Literal["fjellregionen", "sor-osterdal", "kongsvingerregionen", "hamarregionen"]
Period = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Format = Annotated[Literal["json", "csv"] | None, Query(description="Overrides Accept")]
AcceptHeader = Annotated[str | None, Header()]
NOT_FOUND = {404: {"model": ErrorOut, "description": "Unknown code"}}
CSV = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Response:
    return Response(csv_bytes(rows, columns), media_type="text/csv; charset=utf-8")


@router.get(
    "/lessons",
    response_model=LessonsOut,
    responses={**CSV, **NOT_FOUND},
    summary="Search lessons (Norwegian or English words, ranked); filters combine",
)
async def lessons(
    platform: PlatformDep,
    q: Annotated[str, Query(max_length=200, description="Words to search for")] = "",
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    region: RegionCode | None = None,
    phase: Annotated[PhaseCode | None, Query(description="The pilot's phase at the time")] = None,  # type: ignore[valid-type]
    outcome: Outcome | None = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    format: Format = None,
    accept: AcceptHeader = None,
) -> Response:
    where = LessonFilter(technology, municipality, region, phase, outcome, tag)
    view = await run_in_threadpool(platform.insights.lessons, q, where, limit, offset)
    if wants_csv(accept, format):
        rows = [{**lesson, "tags": "|".join(lesson["tags"])} for lesson in view["lessons"]]
        return _csv(rows, (*LESSON_FIELDS, "score"))
    return JSONResponse(view)


@router.get(
    "/benefits",
    response_model=BenefitsOut,
    responses={**CSV, **NOT_FOUND},
    summary="Hours saved, avoided visits and cost: totals and monthly series (latest corrections)",
)
async def benefits(
    platform: PlatformDep,
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    region: RegionCode | None = None,
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    period_from: Period = None,
    period_to: Period = None,
    format: Format = None,
    accept: AcceptHeader = None,
) -> Response:
    where = BenefitFilter(technology, region, municipality, period_from, period_to)
    view = await run_in_threadpool(platform.insights.benefits, where)
    if wants_csv(accept, format):
        return _csv(benefit_rows(view), BENEFIT_ROW_FIELDS)
    return JSONResponse(view)


@router.get(
    "/municipalities/{code}/peers",
    response_model=PeersOut,
    responses=NOT_FOUND,
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


@router.get(
    "/technologies/{code}/diffusion",
    response_model=DiffusionOut,
    responses={**CSV, **NOT_FOUND},
    summary="How many members had reached each phase by each quarter since 2017",
)
async def diffusion(
    code: str, platform: PlatformDep, format: Format = None, accept: AcceptHeader = None
) -> Response:
    today = platform.clock().date()
    view = await run_in_threadpool(platform.insights.diffusion, code, today)
    if wants_csv(accept, format):
        return _csv(view["quarters"], DIFFUSION_ROW_FIELDS)
    return JSONResponse(view)
