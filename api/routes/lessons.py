"""``/v1/lessons``: search what the pilots have learnt (JSON, or CSV on request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import READER, PlatformDep
from api.models.insights import LessonsOut
from api.responses import CSV_RESPONSE, JSONResponse, csv_response, not_found, wants_csv
from api.routes.parameters import AcceptHeader, Format, MunicipalityNumber, RegionCode
from schemas.events import Outcome, PhaseCode, TechnologyCode
from services.insights.lessons import LESSON_FIELDS
from services.insights.search import LessonFilter

router = APIRouter(prefix="/v1", tags=["insights"], dependencies=[READER])


@router.get(
    "/lessons",
    response_model=LessonsOut,
    responses={**CSV_RESPONSE, **not_found("Unknown code")},
    summary="Search lessons (Norwegian or English words, ranked); filters combine",
)
async def lessons(
    platform: PlatformDep,
    q: Annotated[str, Query(max_length=200, description="Words to search for")] = "",
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    municipality: MunicipalityNumber = None,
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
        return csv_response(rows, (*LESSON_FIELDS, "score"))
    return JSONResponse(view)
