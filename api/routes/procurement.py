"""``/v1/procurement``: OCDS releases in; records, the renewal radar and the record package out."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import PlatformDep, Reader
from api.errors import error_body
from api.middleware.body import INVALID_JSON, BodyRefused
from api.models.common import ErrorOut
from api.models.procurement import ProcurementStatus, RadarOut, RecordOut, RecordSummaryOut, SubmissionOut
from api.platform import public_url
from api.responses import CSV_RESPONSE, JSONResponse, csv_response, not_found, wants_csv
from api.routes.parameters import AcceptHeader, Format
from api.security.policies import municipality_writer
from api.security.principal import writer_scope
from api.writes import Write, audited, submission_items, submission_reason
from schemas.events import TechnologyCode
from schemas.reference import reference
from services.intake.releases import NOT_PERMITTED, SubmissionResult
from services.procurement.ownership import Publisher
from services.procurement.validation import Refusal

router = APIRouter(prefix="/v1/procurement", tags=["procurement"])
Submission = Annotated[Write, audited("procurement.submit", municipality_writer)]
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


@router.post(
    "/releases",
    response_model=SubmissionOut,
    response_model_exclude_none=True,
    openapi_extra={"requestBody": _REQUEST_BODY},
    summary="Submit OCDS releases: 200 with one result per release when any was accepted",
    responses={
        403: {"model": SubmissionOut, "description": "Not permitted: scope, or releases of other buyers"},
        413: {"model": SubmissionOut, "description": "Larger than the package size limit"},
        422: {"model": SubmissionOut, "description": "Nothing valid: each refusal's path and rule"},
        503: {"model": ErrorOut, "description": "Event log unavailable; nothing published, retry"},
    },
)
async def post_releases(write: Submission, platform: PlatformDep) -> Response:
    try:
        value = write.json()
    except BodyRefused as refused:
        if refused.refusal.rule != INVALID_JSON:
            raise
        result = SubmissionResult(refusals=[Refusal("$", "json", "the body is not valid JSON")])
    else:
        # Validation is CPU work and the log call blocks: keep them off the event loop.
        _, buyer_org = writer_scope(write.principal)
        principal = write.principal
        publisher = Publisher(
            principal.org_number, override=principal.is_admin and principal.role != "municipality"
        )
        result = await run_in_threadpool(platform.procurement_ingest.submit, value, buyer_org, publisher)
    response = _submission(result)
    write.result(response.status_code, submission_items(result), submission_reason(result))
    return response


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "municipalities": "|".join(row["municipalities"]),
        "technologies": "|".join(row["technologies"]),
        "supplier_ids": "|".join(s["id"] for s in row["suppliers"]),
        "supplier_names": "|".join(s["name"] or "" for s in row["suppliers"]),
    }


@router.get(
    "/records",
    response_model=list[RecordSummaryOut],
    responses={**CSV_RESPONSE, 422: {"model": ErrorOut}},
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
    format: Format = None,
    accept: AcceptHeader = None,
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
        return csv_response((_csv_row(r) for r in rows), CSV_COLUMNS)
    return rows


@router.get(
    "/records/{ocid:path}",
    response_model=RecordOut,
    responses=not_found("Unknown ocid"),
    summary="One compiled record: summary, matching, classification, releases, versioned release",
)
def record(ocid: str, platform: PlatformDep, principal: Reader) -> Any:
    return platform.procurement_queries.record(ocid)


@router.get(
    "/radar",
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
    "/record-package",
    responses={
        200: {"description": "OCDS 1.1 record package (record-package-schema.json)"},
        404: {"model": ErrorOut, "description": "No records yet"},
    },
    summary="Every contracting process as an OCDS record package",
)
def record_package(request: Request, platform: PlatformDep, principal: Reader) -> Response:
    package = platform.procurement_queries.record_package(platform.clock(), public_url(request))
    return JSONResponse(package)
