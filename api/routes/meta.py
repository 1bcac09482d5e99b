"""Health, readiness, contracts and membership."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter

from api.deps import PlatformDep
from api.models import HealthOut, MembershipIn, MembershipOut
from api.responses import JSONResponse
from api.security import PUBLIC, Coordinator, Reader
from schemas.export import EXPORT_DIR
from services.governance.audit import AuditItem
from services.governance.membership import UnknownMunicipalities

router = APIRouter()


@router.get(
    "/healthz",
    response_model=HealthOut,
    tags=["operations"],
    summary="The process is alive",
    dependencies=[PUBLIC],
)
def healthz() -> Any:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=HealthOut,
    tags=["operations"],
    responses={503: {"model": HealthOut}},
    summary="Ready: state recovered and the store reachable",
    dependencies=[PUBLIC],
)
def readyz(platform: PlatformDep) -> Any:
    runner = platform.runner
    if runner is not None and not runner.recovered.is_set():
        return JSONResponse(
            {"status": "starting", "detail": "catching up with the event log"}, status_code=503
        )
    try:
        platform.store.count("settings")
    except Exception as error:  # the store adapter's own error types vary
        return JSONResponse({"status": "unavailable", "detail": type(error).__name__}, status_code=503)
    return {"status": "ready"}


@router.get(
    "/asyncapi.json",
    tags=["contracts"],
    summary="AsyncAPI 3.0 document of the topics",
    dependencies=[PUBLIC],
)
def asyncapi() -> Any:
    return json.loads((EXPORT_DIR / "asyncapi.json").read_text(encoding="utf-8"))


@router.get("/v1/membership", response_model=MembershipOut, tags=["membership"])
def get_membership(platform: PlatformDep, principal: Reader) -> Any:
    return platform.membership.current()


@router.put(
    "/v1/membership",
    response_model=MembershipOut,
    tags=["membership"],
    summary="Replace the member list (with its source and date)",
)
def put_membership(body: MembershipIn, platform: PlatformDep, principal: Coordinator) -> Any:
    try:
        result = platform.membership.replace(body.members, body.source, body.as_of)
    except UnknownMunicipalities:
        platform.audit.record(principal.actor, "membership.replace", 422, (), "unknown municipality codes")
        raise
    platform.audit.record(principal.actor, "membership.replace", 200, [AuditItem(None, "accepted")])
    return result
