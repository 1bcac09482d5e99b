"""``/v1/adoption``: every municipality × technology cell, suppressed for the caller."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from api.deps import PlatformDep, Reader
from api.models.adoption import AdoptionWithContractsOut
from api.responses import CSV_MEDIA_TYPE, CSV_RESPONSE, cached_response, csv_bytes, wants_csv, with_flag_text
from api.routes.parameters import AcceptHeader, Format, RegionCode
from api.suppressed import adoption_table
from schemas.events import PhaseCode, TechnologyCode
from schemas.reference import reference
from services.governance.suppression import FLAG
from services.insights.views import CELL_FIELDS

CSV_CELL_FIELDS = (*CELL_FIELDS, FLAG)

router = APIRouter(prefix="/v1", tags=["views"])


@router.get(
    "/adoption",
    response_model=AdoptionWithContractsOut,
    responses=CSV_RESPONSE,
    summary="Adoption cells (municipality × technology); Accept: text/csv for CSV",
)
async def adoption(
    platform: PlatformDep,
    principal: Reader,
    region: RegionCode | None = None,
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    phase: PhaseCode | None = None,  # type: ignore[valid-type]
    format: Format = None,
    accept: AcceptHeader = None,
) -> Response:
    as_csv = wants_csv(accept, format)
    viewer = principal.viewer

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
            return csv_bytes(with_flag_text(cells), CSV_CELL_FIELDS), CSV_MEDIA_TYPE
        view = {"as_of": max((c["updated_at"] for c in cells), default=None), "cells": cells}
        return orjson.dumps(view), "application/json"

    key = ("adoption", region, technology, phase, as_csv, viewer.key)
    return await cached_response(platform.view_cache, key, render)
