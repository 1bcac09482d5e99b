"""``/v1/benefits``: hours saved, avoided visits and cost, in totals and monthly series."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import READER, PlatformDep
from api.models.insights import BenefitsOut
from api.responses import CSV_RESPONSE, JSONResponse, csv_response, not_found, wants_csv
from api.routes.parameters import AcceptHeader, Format, MunicipalityNumber, RegionCode
from schemas.events import TechnologyCode
from services.insights.benefits import BENEFIT_ROW_FIELDS, BenefitFilter, benefit_rows

router = APIRouter(prefix="/v1", tags=["insights"], dependencies=[READER])
Period = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


@router.get(
    "/benefits",
    response_model=BenefitsOut,
    responses={**CSV_RESPONSE, **not_found("Unknown code")},
    summary="Hours saved, avoided visits and cost: totals and monthly series (latest corrections)",
)
async def benefits(
    platform: PlatformDep,
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    region: RegionCode | None = None,
    municipality: MunicipalityNumber = None,
    period_from: Period = None,
    period_to: Period = None,
    format: Format = None,
    accept: AcceptHeader = None,
) -> Response:
    where = BenefitFilter(technology, region, municipality, period_from, period_to)
    view = await run_in_threadpool(platform.insights.benefits, where)
    if wants_csv(accept, format):
        return csv_response(benefit_rows(view), BENEFIT_ROW_FIELDS)
    return JSONResponse(view)
