"""``/v1/technologies``: the list, and one technology across the members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import PlatformDep, Reader
from api.models.technologies import TechnologyOut, TechnologyViewOut
from api.responses import model_response, not_found
from api.suppressed import alarm_hidden
from services.governance.suppression import suppress_alarm_summary

router = APIRouter(prefix="/v1/technologies", tags=["views"])


@router.get("", response_model=list[TechnologyOut])
def technologies(platform: PlatformDep, principal: Reader) -> Any:
    return platform.queries.technologies()


@router.get(
    "/{code}",
    response_model=TechnologyViewOut,
    responses=not_found("Unknown code or id"),
)
def technology(code: str, platform: PlatformDep, principal: Reader) -> Any:
    view = platform.queries.technology(code)
    if view.get("alarms") and not principal.viewer.sees_all:
        hidden = alarm_hidden(platform, principal.viewer)
        view["alarms"] = suppress_alarm_summary(view["alarms"], hidden, technology=code)
    return model_response(TechnologyViewOut, view)
