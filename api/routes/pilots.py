"""``/v1/pilots/{pilot_id}``: one pilot, with small counts suppressed for the caller."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import PlatformDep, Reader
from api.models.pilots import PilotOut
from api.responses import model_response, not_found
from services.governance.suppression import suppress_pilot

router = APIRouter(prefix="/v1/pilots", tags=["views"])


@router.get(
    "/{pilot_id}",
    response_model=PilotOut,
    responses=not_found("Unknown code or id"),
)
def pilot(pilot_id: str, platform: PlatformDep, principal: Reader) -> Any:
    view = platform.queries.pilot(pilot_id)
    if not principal.viewer.sees(view["municipality"]):
        siblings = platform.queries.cell_pilots(view["municipality"], view["technology"])
        view = suppress_pilot(view, siblings, principal.viewer)
    return model_response(PilotOut, view)
