"""``/v1/municipalities``: the list, and one municipality's profile suppressed for the caller."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import PlatformDep, Reader
from api.models.municipalities import MunicipalityOut, MunicipalityProcurementProfileOut
from api.responses import model_response, not_found
from api.suppressed import alarm_hidden
from services.governance.suppression import FLAG, SMALL_COUNT_FIELDS, suppress_alarm_summary, suppress_cells

router = APIRouter(prefix="/v1/municipalities", tags=["views"])


@router.get("", response_model=list[MunicipalityOut])
def municipalities(platform: PlatformDep, principal: Reader) -> Any:
    return platform.queries.municipalities()


@router.get(
    "/{code}",
    response_model=MunicipalityProcurementProfileOut,
    responses=not_found("Unknown code or id"),
)
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
