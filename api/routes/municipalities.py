"""``/v1/municipalities``: the list, one municipality's profile, and its peers for a technology."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import READER, PlatformDep, Reader
from api.models.common import ErrorOut
from api.models.insights import PeersOut
from api.models.municipalities import MunicipalityOut, MunicipalityProcurementProfileOut
from api.responses import JSONResponse, model_response
from api.suppressed import alarm_hidden
from schemas.events import TechnologyCode
from services.governance.suppression import FLAG, SMALL_COUNT_FIELDS, suppress_alarm_summary, suppress_cells

router = APIRouter(prefix="/v1/municipalities")
NOT_FOUND = {404: {"model": ErrorOut, "description": "Unknown code or id"}}


@router.get("", response_model=list[MunicipalityOut], tags=["views"])
def municipalities(platform: PlatformDep, principal: Reader) -> Any:
    return platform.queries.municipalities()


@router.get("/{code}", response_model=MunicipalityProcurementProfileOut, responses=NOT_FOUND, tags=["views"])
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
    return model_response(MunicipalityProcurementProfileOut, profile)


def _with_counts(cell: dict[str, Any], shown: dict[str, Any] | None) -> dict[str, Any]:
    """A profile cell with the counts (and flags) of the suppressed adoption table."""
    if shown is None or FLAG not in shown:
        return cell
    merged = {**cell, **{k: shown[k] for k in SMALL_COUNT_FIELDS if k in shown}, FLAG: shown[FLAG]}
    if "alarms" in shown:
        merged["alarms"] = shown["alarms"]
    return merged


@router.get(
    "/{code}/peers",
    response_model=PeersOut,
    responses={404: {"model": ErrorOut, "description": "Unknown code"}},
    summary="Member municipalities further along with a technology, with a reason for each",
    tags=["insights"],
    dependencies=[READER],
)
async def peers(
    code: str,
    platform: PlatformDep,
    technology: TechnologyCode,  # type: ignore[valid-type]
) -> Response:
    today = platform.clock().date()
    view = await run_in_threadpool(platform.insights.peers, code, technology, today)
    return JSONResponse(view)
