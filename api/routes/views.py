"""Shared read views: adoption, municipalities, technologies, pilots."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Header, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import PlatformDep
from api.models import (
    ErrorOut,
    MunicipalityOut,
    PilotOut,
    TechnologyOut,
    TechnologyViewOut,
)
from api.procurement_models import AdoptionWithContractsOut, MunicipalityProcurementProfileOut
from api.responses import csv_bytes, wants_csv
from schemas.events import PhaseCode, TechnologyCode
from services.queries import CELL_FIELDS

router = APIRouter(prefix="/v1", tags=["views"])
RegionCode = Literal["fjellregionen", "sor-osterdal", "kongsvingerregionen", "hamarregionen"]
NOT_FOUND = {404: {"model": ErrorOut, "description": "Unknown code or id"}}
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}


@router.get(
    "/adoption",
    response_model=AdoptionWithContractsOut,
    responses={200: {"content": CSV_CONTENT}},
    summary="Adoption cells (municipality × technology); Accept: text/csv for CSV",
)
async def adoption(
    platform: PlatformDep,
    region: RegionCode | None = None,
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    phase: PhaseCode | None = None,  # type: ignore[valid-type]
    format: Annotated[Literal["json", "csv"] | None, Query(description="Overrides Accept")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    as_csv = wants_csv(accept, format)
    key = ("adoption", region, technology, phase, as_csv)

    def render() -> tuple[bytes, str]:
        view = platform.queries.adoption(region=region, technology=technology, phase=phase)
        if as_csv:
            return csv_bytes(view["cells"], CELL_FIELDS), "text/csv; charset=utf-8"
        return orjson.dumps(view), "application/json"

    # Served from memory without leaving the event loop when the view is current; the
    # store is only read (in a worker thread) after a write or when the entry has aged.
    cached = platform.view_cache.peek(key)
    body, media_type = cached or await run_in_threadpool(platform.view_cache.get, key, render)
    return Response(body, media_type=media_type)


@router.get("/municipalities", response_model=list[MunicipalityOut])
def municipalities(platform: PlatformDep) -> Any:
    return platform.queries.municipalities()


@router.get("/municipalities/{code}", response_model=MunicipalityProcurementProfileOut, responses=NOT_FOUND)
def municipality(code: str, platform: PlatformDep) -> Any:
    return platform.queries.municipality(code)


@router.get("/technologies", response_model=list[TechnologyOut])
def technologies(platform: PlatformDep) -> Any:
    return platform.queries.technologies()


@router.get("/technologies/{code}", response_model=TechnologyViewOut, responses=NOT_FOUND)
def technology(code: str, platform: PlatformDep) -> Any:
    return platform.queries.technology(code)


@router.get("/pilots/{pilot_id}", response_model=PilotOut, responses=NOT_FOUND)
def pilot(pilot_id: str, platform: PlatformDep) -> Any:
    return platform.queries.pilot(pilot_id)
