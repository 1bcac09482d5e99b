"""Operations and contracts: liveness, readiness, Prometheus metrics, the AsyncAPI document."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import PUBLIC, PlatformDep
from api.models.common import HealthOut
from api.responses import JSONResponse
from schemas.export import EXPORT_DIR
from streams.observability.metrics import CONTENT_TYPE_LATEST

router = APIRouter(dependencies=[PUBLIC])


@router.get("/healthz", response_model=HealthOut, tags=["operations"], summary="The process is alive")
def healthz() -> Any:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=HealthOut,
    tags=["operations"],
    responses={503: {"model": HealthOut}},
    summary="Ready: state recovered and the store reachable",
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
    "/metrics",
    tags=["operations"],
    summary="Prometheus metrics of this process",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(platform: PlatformDep) -> Response:
    return Response(platform.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


@router.get("/asyncapi.json", tags=["contracts"], summary="AsyncAPI 3.0 document of the topics")
def asyncapi() -> Any:
    return json.loads((EXPORT_DIR / "asyncapi.json").read_text(encoding="utf-8"))
