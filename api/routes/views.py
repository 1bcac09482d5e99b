"""Shared read views: adoption, municipalities, technologies, pilots."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Header, Query
from pydantic import BaseModel
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
from api.responses import JSONResponse, csv_bytes, wants_csv
from api.security import Reader
from api.suppressed import adoption_table, alarm_hidden
from schemas.events import PhaseCode, TechnologyCode
from schemas.reference import reference
from services.governance.suppression import (
    FLAG,
    SMALL_COUNT_FIELDS,
    suppress_alarm_summary,
    suppress_cells,
    suppress_pilot,
)
from services.insights.views import CELL_FIELDS

CSV_CELL_FIELDS = (*CELL_FIELDS, FLAG)

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
    principal: Reader,
    region: RegionCode | None = None,
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    phase: PhaseCode | None = None,  # type: ignore[valid-type]
    format: Annotated[Literal["json", "csv"] | None, Query(description="Overrides Accept")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    as_csv = wants_csv(accept, format)
    viewer = principal.viewer
    key = ("adoption", region, technology, phase, as_csv, viewer.key)

    def render() -> tuple[bytes, str]:
        # Suppression is decided on the whole table, then filtered (see services.governance.suppression).
        cells = [
            c
            for c in adoption_table(platform, viewer).rows
            if (region is None or reference().region_of(c["municipality"]) == region)
            and (technology is None or c["technology"] == technology)
            and (phase is None or c["phase"] == phase)
        ]
        if as_csv:
            rows = ({**c, FLAG: "|".join(c.get(FLAG, []))} for c in cells)
            return csv_bytes(rows, CSV_CELL_FIELDS), "text/csv; charset=utf-8"
        view = {"as_of": max((c["updated_at"] for c in cells), default=None), "cells": cells}
        return orjson.dumps(view), "application/json"

    # Served from memory without leaving the event loop when the view is current; the
    # store is only read (in a worker thread) after a write or when the entry has aged.
    cached = platform.view_cache.peek(key)
    body, media_type = cached or await run_in_threadpool(platform.view_cache.get, key, render)
    return Response(body, media_type=media_type)


@router.get("/municipalities", response_model=list[MunicipalityOut])
def municipalities(platform: PlatformDep, principal: Reader) -> Any:
    return platform.queries.municipalities()


@router.get("/municipalities/{code}", response_model=MunicipalityProcurementProfileOut, responses=NOT_FOUND)
def municipality(code: str, platform: PlatformDep, principal: Reader) -> Any:
    profile = platform.queries.municipality(code)
    viewer = principal.viewer
    if not viewer.sees(profile["code"]):
        hidden = alarm_hidden(platform, viewer)
        shown = {
            (c["municipality"], c["technology"]): c
            for c in suppress_cells(platform.queries.adoption()["cells"], viewer, hidden).rows
            if c["municipality"] == profile["code"]
        }
        if profile.get("alarms"):
            profile["alarms"] = suppress_alarm_summary(
                profile["alarms"], hidden, municipality=profile["code"]
            )
        profile["cells"] = [
            _with_counts(c, shown.get((c["municipality"], c["technology"]))) for c in profile["cells"]
        ]
    return _as(MunicipalityProcurementProfileOut, profile)


@router.get("/technologies", response_model=list[TechnologyOut])
def technologies(platform: PlatformDep, principal: Reader) -> Any:
    return platform.queries.technologies()


@router.get("/technologies/{code}", response_model=TechnologyViewOut, responses=NOT_FOUND)
def technology(code: str, platform: PlatformDep, principal: Reader) -> Any:
    view = platform.queries.technology(code)
    if view.get("alarms") and not principal.viewer.sees_all:
        hidden = alarm_hidden(platform, principal.viewer)
        view["alarms"] = suppress_alarm_summary(view["alarms"], hidden, technology=code)
    return _as(TechnologyViewOut, view)


@router.get("/pilots/{pilot_id}", response_model=PilotOut, responses=NOT_FOUND)
def pilot(pilot_id: str, platform: PlatformDep, principal: Reader) -> Any:
    view = platform.queries.pilot(pilot_id)
    if not principal.viewer.sees(view["municipality"]):
        siblings = platform.queries.cell_pilots(view["municipality"], view["technology"])
        view = suppress_pilot(view, siblings, principal.viewer)
    return _as(PilotOut, view)


def _with_counts(cell: dict[str, Any], shown: dict[str, Any] | None) -> dict[str, Any]:
    """A profile cell with the counts (and flags) of the suppressed adoption table."""
    if shown is None or FLAG not in shown:
        return cell
    merged = {**cell, **{k: shown[k] for k in SMALL_COUNT_FIELDS if k in shown}, FLAG: shown[FLAG]}
    if "alarms" in shown:
        merged["alarms"] = shown["alarms"]
    return merged


def _as(model: type[BaseModel], view: dict[str, Any]) -> Response:
    """Serialise through the response model; a ``suppressed`` flag appears only where set."""
    return JSONResponse(_drop_empty_flags(model.model_validate(view).model_dump(mode="json")))


def _drop_empty_flags(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_empty_flags(v) for k, v in value.items() if not (k == FLAG and v is None)}
    if isinstance(value, list):
        return [_drop_empty_flags(v) for v in value]
    return value
