"""``/v1/competence``: staff enrolled, completed and hours, per municipality, region and alliance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from api.deps import READER, PlatformDep
from api.models.indicators import CompetenceOut
from api.responses import CSV_RESPONSE, wants_csv
from api.routes.parameters import AcceptHeader, Format, RegionCode
from api.routes.reports import MunicipalityFilter, PeriodBound, report_view
from schemas.events import Programme
from services.indicators.competence import REPORT_FIELDS

router = APIRouter(prefix="/v1", tags=["indicators"], dependencies=[READER])


@router.get(
    "/competence",
    response_model=CompetenceOut,
    responses=CSV_RESPONSE,
    summary="Staff competence: enrolled, completed and hours per municipality, region and alliance",
)
async def competence(
    platform: PlatformDep,
    municipality: Annotated[MunicipalityFilter | None, Query(description="34xx or 04xx")] = None,
    region: RegionCode | None = None,
    programme: Programme | None = None,
    period_from: Annotated[PeriodBound | None, Query(description="First period (YYYY-MM or YYYY)")] = None,
    period_to: Annotated[PeriodBound | None, Query(description="Last period (YYYY-MM or YYYY)")] = None,
    format: Format = None,
    accept: AcceptHeader = None,
) -> Response:
    assert platform.indicator_queries is not None
    queries = platform.indicator_queries
    filters = (municipality, region, programme, period_from, period_to)

    def build() -> dict[str, Any]:
        return queries.competence(
            platform.membership.members(),
            municipality=municipality,
            region=region,
            programme=programme,
            period_from=period_from,
            period_to=period_to,
        )

    columns = REPORT_FIELDS if wants_csv(accept, format) else None
    return await report_view(platform, ("competence", *filters), build, columns)
