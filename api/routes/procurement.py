"""``/v1/procurement`` and ``/v1/suppliers``: OCDS releases in, records, radar and suppliers out."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import PlatformDep
from api.errors import error_body
from api.models import ErrorOut
from api.procurement_models import (
    ProcurementStatus,
    RadarOut,
    RecordOut,
    RecordSummaryOut,
    SubmissionOut,
    SupplierDetailOut,
    SupplierOut,
)
from api.responses import JSONResponse, csv_bytes, wants_csv
from api.security import MunicipalityWriter, Principal, Reader, writer_scope
from schemas.events import TechnologyCode
from schemas.reference import reference
from services.governance.audit import AuditItem
from services.intake.releases import NOT_PERMITTED, SubmissionResult
from services.procurement.validation import Refusal

router = APIRouter(prefix="/v1", tags=["procurement"])
NOT_FOUND = {404: {"model": ErrorOut, "description": "Unknown ocid or supplier id"}}
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}
CSV_COLUMNS = (
    "ocid",
    "title",
    "status",
    "municipalities",
    "technologies",
    "supplier_ids",
    "supplier_names",
    "contract_end",
    "total_value",
    "currency",
    "last_updated",
)
OSLO = ZoneInfo("Europe/Oslo")
_REQUEST_BODY = {
    "required": True,
    "description": "An OCDS 1.1 release package, a list of releases or one release (at most 5 MiB).",
    "content": {"application/json": {"schema": {"type": ["object", "array"]}}},
}


def _submission(result: SubmissionResult) -> JSONResponse:
    body = result.as_dict()
    if result.accepted:
        return JSONResponse(body, status_code=200)
    body["detail"] = "Nothing was accepted: see the refusals"
    too_large = any(r.rule == "max_size" for r in result.refusals)
    rules = {f.rule for r in result.results for f in r.refusals}
    if rules == {NOT_PERMITTED}:  # only releases the submitter may not write: a matter of rights
        return JSONResponse(body, status_code=403)
    return JSONResponse(body, status_code=413 if too_large else 422)


async def _read_body(request: Request, limit: int) -> bytes | JSONResponse:
    too_large = SubmissionResult(
        refusals=[Refusal("$", "max_size", f"the submission must be at most {limit / 1048576:g} MiB of JSON")]
    )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return _submission(too_large)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return _submission(too_large)
    return bytes(body)


@router.post(
    "/procurement/releases",
    response_model=SubmissionOut,
    response_model_exclude_none=True,
    openapi_extra={"requestBody": _REQUEST_BODY},
    summary="Submit OCDS releases: 200 with one result per release when any was accepted",
    responses={
        401: {"model": ErrorOut, "description": "No valid bearer token (WWW-Authenticate says why)"},
        403: {"model": SubmissionOut, "description": "Not permitted: scope, or releases of other buyers"},
        413: {"model": SubmissionOut, "description": "Larger than the package size limit"},
        422: {"model": SubmissionOut, "description": "Nothing valid: each refusal's path and rule"},
        503: {"model": ErrorOut, "description": "Event log unavailable; nothing published, retry"},
    },
)
async def post_releases(request: Request, platform: PlatformDep, principal: MunicipalityWriter) -> Response:
    ingest = platform.procurement_ingest
    body = await _read_body(request, ingest.max_bytes)
    if isinstance(body, JSONResponse):
        await _audit(platform, principal, body.status_code, SubmissionResult(), "body too large")
        return body
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        result = SubmissionResult(refusals=[Refusal("$", "json", "the body is not valid JSON")])
        await _audit(platform, principal, 422, result, "invalid JSON")
        return _submission(result)
    # Validation is CPU work and the log call blocks: keep them off the event loop.
    _, buyer_org = writer_scope(principal)
    result = await run_in_threadpool(ingest.submit, value, buyer_org)
    response = _submission(result)
    await _audit(platform, principal, response.status_code, result)
    return response


async def _audit(
    platform: Any, principal: Principal, status: int, result: SubmissionResult, reason: str | None = None
) -> None:
    items = [
        AuditItem(r.release_id or r.ocid, r.outcome, tuple(f.rule for f in r.refusals))
        for r in result.results
    ]
    if not reason and result.refusals:
        reason = ", ".join(sorted({f.rule for f in result.refusals}))
    await run_in_threadpool(
        platform.audit.record, principal.actor, "procurement.submit", status, items, reason
    )


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "municipalities": "|".join(row["municipalities"]),
        "technologies": "|".join(row["technologies"]),
        "supplier_ids": "|".join(s["id"] for s in row["suppliers"]),
        "supplier_names": "|".join(s["name"] or "" for s in row["suppliers"]),
    }


@router.get(
    "/procurement/records",
    response_model=list[RecordSummaryOut],
    responses={200: {"content": CSV_CONTENT}, 422: {"model": ErrorOut}},
    summary="Contracting processes, filtered; Accept: text/csv (or ?format=csv) for CSV",
)
def records(
    platform: PlatformDep,
    principal: Reader,
    municipality: Annotated[str | None, Query(description="34xx or pre-2020 04xx number")] = None,
    technology: TechnologyCode | None = None,  # type: ignore[valid-type]
    supplier: Annotated[str | None, Query(description="Supplier id, e.g. NO-BRC-923456708")] = None,
    status: ProcurementStatus | None = None,
    ending_before: Annotated[date | None, Query(description="Earliest live contract ends before")] = None,
    format: Annotated[Literal["json", "csv"] | None, Query(description="Overrides Accept")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    if municipality and reference().canonical_code(municipality) is None:
        errors = [
            {"field": "municipality", "rule": "unknown_municipality", "message": "Unknown municipality"}
        ]
        return JSONResponse(error_body("Invalid request", errors), status_code=422)
    rows = platform.procurement_queries.records(
        municipality=municipality,
        technology=technology,
        supplier=supplier,
        status=status,
        ending_before=ending_before,
    )
    if wants_csv(accept, format):
        body = csv_bytes((_csv_row(r) for r in rows), CSV_COLUMNS)
        return Response(body, media_type="text/csv; charset=utf-8")
    return rows


@router.get(
    "/procurement/records/{ocid:path}",
    response_model=RecordOut,
    responses=NOT_FOUND,
    summary="One compiled record: summary, matching, classification, releases, versioned release",
)
def record(ocid: str, platform: PlatformDep, principal: Reader) -> Any:
    return platform.procurement_queries.record(ocid)


@router.get(
    "/procurement/radar",
    response_model=RadarOut,
    summary="Renewal radar: live contracts ending within the next N months, soonest first",
)
def radar(
    platform: PlatformDep,
    principal: Reader,
    months: Annotated[int, Query(ge=0, le=120, description="Horizon in months")] = 12,
) -> Any:
    today = platform.clock().astimezone(OSLO).date()
    return platform.procurement_queries.radar(today, months)


@router.get(
    "/procurement/record-package",
    responses={
        200: {"description": "OCDS 1.1 record package (record-package-schema.json)"},
        404: {"model": ErrorOut, "description": "No records yet"},
    },
    summary="Every contracting process as an OCDS record package",
)
def record_package(request: Request, platform: PlatformDep, principal: Reader) -> Response:
    package = platform.procurement_queries.record_package(platform.clock(), str(request.url))
    return JSONResponse(package)


@router.get("/suppliers", response_model=list[SupplierOut], summary="Suppliers named in awards")
def suppliers(platform: PlatformDep, principal: Reader) -> Any:
    return platform.procurement_queries.suppliers()


@router.get(
    "/suppliers/{supplier_id:path}",
    response_model=SupplierDetailOut,
    responses=NOT_FOUND,
    summary="One supplier: its contracts, municipalities, technologies and total value",
)
def supplier(supplier_id: str, platform: PlatformDep, principal: Reader) -> Any:
    return platform.procurement_queries.supplier(supplier_id)
