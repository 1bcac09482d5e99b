"""``/v1/membership``: the member municipalities, replaced by coordinators with a source and date."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import PlatformDep, Reader
from api.models.membership import MembershipIn, MembershipOut
from api.openapi import json_request_body
from api.security.policies import coordinator
from api.writes import WHOLE_ACCEPTED, Write, audited

router = APIRouter(prefix="/v1/membership", tags=["membership"])
Replacement = Annotated[Write, audited("membership.replace", coordinator)]


@router.get("", response_model=MembershipOut)
def get_membership(platform: PlatformDep, principal: Reader) -> Any:
    return platform.membership.current()


@router.put(
    "",
    response_model=MembershipOut,
    summary="Replace the member list (with its source and date)",
    openapi_extra=json_request_body(MembershipIn),
)
async def put_membership(write: Replacement, platform: PlatformDep) -> Any:
    body = write.model(MembershipIn)
    result = await run_in_threadpool(platform.membership.replace, body.members, body.source, body.as_of)
    write.result(200, WHOLE_ACCEPTED)
    return result
