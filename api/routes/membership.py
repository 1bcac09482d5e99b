"""``/v1/membership``: the member municipalities, replaced by coordinators with a source and date."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Coordinator, PlatformDep, Reader
from api.models.membership import MembershipIn, MembershipOut
from services.governance.audit import AuditItem
from services.governance.membership import UnknownMunicipalities

router = APIRouter(prefix="/v1/membership", tags=["membership"])


@router.get("", response_model=MembershipOut)
def get_membership(platform: PlatformDep, principal: Reader) -> Any:
    return platform.membership.current()


@router.put("", response_model=MembershipOut, summary="Replace the member list (with its source and date)")
def put_membership(body: MembershipIn, platform: PlatformDep, principal: Coordinator) -> Any:
    try:
        result = platform.membership.replace(body.members, body.source, body.as_of)
    except UnknownMunicipalities:
        platform.audit.record(principal.actor, "membership.replace", 422, (), "unknown municipality codes")
        raise
    platform.audit.record(principal.actor, "membership.replace", 200, [AuditItem(None, "accepted")])
    return result
