"""``/v1/audit``: the append-only log of writes, for coordinators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import Coordinator, PlatformDep
from api.models.audit import AuditEntryOut

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "",
    response_model=list[AuditEntryOut],
    summary="Who wrote what when, accepted or refused; newest first",
)
async def audit_log(
    platform: PlatformDep,
    principal: Coordinator,
    org_number: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    action: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> Any:
    return await run_in_threadpool(platform.audit.query, org_number, action, since, limit)
