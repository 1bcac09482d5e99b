"""``/v1/alarms``: alarm reception by month, municipality, region and alliance, suppressed per caller."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from api.deps import READER, PlatformDep, Reader
from api.models.indicators import AlarmsOut
from api.responses import CSV_RESPONSE, wants_csv
from api.routes.parameters import AcceptHeader, Format, RegionCode
from api.routes.reports import MunicipalityFilter, PeriodBound, report_view
from api.suppressed import alarm_hidden
from schemas.events import AlarmPlatform, TechnologyCode
from services.governance.suppression import FLAG, suppress_alarm_view
from services.indicators.alarms import REPORT_FIELDS

router = APIRouter(prefix="/v1", tags=["indicators"], dependencies=[READER])


@router.get(
    "/alarms",
    response_model=AlarmsOut,
    responses=CSV_RESPONSE,
    summary="Alarm reception: monthly series, shares, response times; Accept: text/csv for the report rows",
)
async def alarms(
    platform: PlatformDep,
    principal: Reader,
    municipality: Annotated[MunicipalityFilter | None, Query(description="34xx or 04xx")] = None,
    region: RegionCode | None = None,
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    platform_id: Annotated[AlarmPlatform | None, Query(alias="platform")] = None,
    period_from: Annotated[PeriodBound | None, Query(description="First month (YYYY-MM or YYYY)")] = None,
    period_to: Annotated[PeriodBound | None, Query(description="Last month (YYYY-MM or YYYY)")] = None,
    target_s: Annotated[
        float | None, Query(gt=0, le=86_400, description="p90 target in seconds (default from settings)")
    ] = None,
    format: Format = None,
    accept: AcceptHeader = None,
) -> Response:
    assert platform.indicator_queries is not None
    queries = platform.indicator_queries
    filters = (municipality, region, technology, platform_id, period_from, period_to, target_s)
    viewer = principal.viewer

    def build() -> dict[str, Any]:
        members = platform.membership.members()
        view = queries.alarms(
            members,
            municipality=municipality,
            region=region,
            technology=technology,
            platform=platform_id,
            period_from=period_from,
            period_to=period_to,
            target_s=target_s,
        )
        if viewer.sees_all:
            return view
        # Hidden months are decided over every report, then the filtered view is suppressed.
        return suppress_alarm_view(view, alarm_hidden(platform, viewer), members)

    columns = (*REPORT_FIELDS, FLAG) if wants_csv(accept, format) else None
    return await report_view(platform, ("alarms", *filters, viewer.key), build, columns)
