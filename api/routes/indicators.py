"""Indicator views: alarm reception (``/v1/alarms``) and staff competence (``/v1/competence``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Header, Query
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import PlatformDep
from api.indicator_models import AlarmsOut, CompetenceOut
from api.responses import csv_bytes, wants_csv
from api.routes.views import CSV_CONTENT, RegionCode
from api.security import READER, Reader
from api.suppressed import alarm_hidden
from schemas.events import AlarmPlatform, Programme, TechnologyCode
from schemas.reference import reference
from services.governance.suppression import FLAG, suppress_alarm_view
from services.indicators import alarms as alarm_rollups
from services.indicators import competence as competence_rollups

router = APIRouter(prefix="/v1", tags=["indicators"], dependencies=[READER])


def _canonical_municipality(value: str) -> str:
    code = reference().canonical_code(value)
    if code is None:
        raise PydanticCustomError("unknown_municipality", "Not a Hedmark/Innlandet municipality number")
    return code


MunicipalityFilter = Annotated[str, AfterValidator(_canonical_municipality)]
PeriodBound = Annotated[str, Field(pattern=r"^(19|20)\d{2}(-(0[1-9]|1[0-2]))?$")]
Format = Annotated[Literal["json", "csv"] | None, Query(description="Overrides Accept")]


async def _cached(
    platform: PlatformDep,
    key: tuple[Any, ...],
    build: Callable[[], dict[str, Any]],
    csv_columns: tuple[str, ...],
) -> Response:
    as_csv = key[-1]

    def render() -> tuple[bytes, str]:
        view = build()
        if as_csv:
            rows = ({**r, FLAG: "|".join(r.get(FLAG, []))} for r in view["reports"])
            return csv_bytes(rows, csv_columns), "text/csv; charset=utf-8"
        return orjson.dumps(view), "application/json"

    cached = platform.view_cache.peek(key)
    body, media_type = cached or await run_in_threadpool(platform.view_cache.get, key, render)
    return Response(body, media_type=media_type)


@router.get(
    "/alarms",
    response_model=AlarmsOut,
    responses={200: {"content": CSV_CONTENT}},
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
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    assert platform.indicator_queries is not None
    queries = platform.indicator_queries
    as_csv = wants_csv(accept, format)
    filters = (municipality, region, technology, platform_id, period_from, period_to, target_s)
    viewer = principal.viewer

    def build() -> dict[str, Any]:
        view = filtered()
        if viewer.sees_all:
            return view
        # Hidden months are decided over every report, then the filtered view is suppressed.
        members = platform.membership.members()
        return suppress_alarm_view(view, alarm_hidden(platform, viewer), members)

    def filtered() -> dict[str, Any]:
        return queries.alarms(
            platform.membership.members(),
            municipality=municipality,
            region=region,
            technology=technology,
            platform=platform_id,
            period_from=period_from,
            period_to=period_to,
            target_s=target_s,
        )

    key = ("alarms", *filters, viewer.key, as_csv)
    return await _cached(platform, key, build, (*alarm_rollups.REPORT_FIELDS, FLAG))


@router.get(
    "/competence",
    response_model=CompetenceOut,
    responses={200: {"content": CSV_CONTENT}},
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
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    assert platform.indicator_queries is not None
    queries = platform.indicator_queries
    as_csv = wants_csv(accept, format)
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

    return await _cached(platform, ("competence", *filters, as_csv), build, competence_rollups.REPORT_FIELDS)
