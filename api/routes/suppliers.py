"""``/v1/suppliers``: the suppliers named in awards, and one supplier's contracts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import PlatformDep, Reader
from api.models.procurement import SupplierDetailOut, SupplierOut
from api.responses import not_found

router = APIRouter(prefix="/v1/suppliers", tags=["procurement"])


@router.get("", response_model=list[SupplierOut], summary="Suppliers named in awards")
def suppliers(platform: PlatformDep, principal: Reader) -> Any:
    return platform.procurement_queries.suppliers()


@router.get(
    "/{supplier_id:path}",
    response_model=SupplierDetailOut,
    responses=not_found("Unknown supplier id"),
    summary="One supplier: its contracts, municipalities, technologies and total value",
)
def supplier(supplier_id: str, platform: PlatformDep, principal: Reader) -> Any:
    return platform.procurement_queries.supplier(supplier_id)
