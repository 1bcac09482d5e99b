"""``/v1/procurement`` and ``/v1/suppliers``: submissions, records, the radar and suppliers."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.procurement.summary import Status as ProcurementStatus


class RefusalOut(BaseModel):
    path: str = Field(description="$-rooted JSON path into what was submitted, e.g. $.releases[3].date")
    rule: str = Field(description="Machine-readable rule: required, type, format, max_size, ...")
    message: str = Field(description="For people; never repeats the refused value")


class ReleaseResultOut(BaseModel):
    index: int = Field(description="Position of the release in the submission")
    status: Literal["accepted", "refused"]
    ocid: str | None = None
    id: str | None = None
    refusals: list[RefusalOut] | None = None
    removed: list[str] | None = Field(None, description="Paths of personal data removed before publishing")


class SubmissionOut(BaseModel):
    results: list[ReleaseResultOut]
    accepted: int
    refused: int
    refusals: list[RefusalOut] = Field(description="Refusals of the submission as a whole (size, shape)")
    detail: str | None = None


class SupplierRefOut(BaseModel):
    id: str
    name: str | None = None
    org_number: str | None = None


class RecordSummaryOut(BaseModel):
    ocid: str
    title: str | None = None
    status: ProcurementStatus
    last_updated: str | None = None
    municipalities: list[str] = Field(description="Municipality numbers (34xx) of the buyers")
    technologies: list[str]
    suppliers: list[SupplierRefOut]
    contract_end: date | None = Field(None, description="Earliest end of a live contract")
    total_value: int | float | None = None
    currency: str | None = None
    value_source: Literal["contracts", "awards"] | None = None


class MunicipalityMatchOut(BaseModel):
    municipality_code: str
    municipality_name: str
    match_method: Literal["org_number", "name"]
    party_id: str | None = None
    party_name: str | None = None
    org_number: str | None = None
    roles: list[str]


class UnmatchedBuyerOut(BaseModel):
    party_id: str | None = None
    name: str | None = None
    org_number: str | None = None


class MatchOut(BaseModel):
    matches: list[MunicipalityMatchOut]
    unmatched: list[UnmatchedBuyerOut]


class ClassificationOut(BaseModel):
    technology: str
    confidence: float
    evidence: list[str]


class ContractPeriodOut(BaseModel):
    contract_id: str | None = None
    status: str | None = None
    start_date: str | None = None
    end_date: str | None = None


class CompileInfoOut(BaseModel):
    release_ids: list[str] = Field(description="Releases merged, in merge order")
    conflicts: list[str] = Field(description="Release ids that arrived with differing content")
    warnings: list[str]


class OrganisationOut(BaseModel):
    id: str | None = Field(None, description="Party id in the release")
    name: str | None = None
    org_number: str | None = None


class PublishedByOut(BaseModel):
    release_id: str
    org_numbers: list[str] = Field(
        description="Who published the release (the submitter, or the buyers it names)"
    )
    override: bool = Field(
        description="Published by a coordinator with alliance:admin into a process of others"
    )
    via: Literal["api", "topic"]


class RecordOut(RecordSummaryOut):
    owners: list[str] = Field(
        default_factory=list,
        description="Organisation numbers that own the process (buyers of its first release)",
    )
    published_by: list[PublishedByOut] = Field(default_factory=list)
    buyers: list[OrganisationOut]
    match: MatchOut
    classification: list[ClassificationOut]
    contract_periods: list[ContractPeriodOut]
    compile: CompileInfoOut
    compiled_release: dict[str, Any] = Field(description="OCDS compiled release")
    versioned_release: dict[str, Any] = Field(description="OCDS versioned release")
    releases: list[dict[str, Any]] = Field(description="The releases, personal data removed, oldest first")


class MunicipalityRefOut(BaseModel):
    code: str
    name: str


class RadarContractOut(BaseModel):
    ocid: str
    title: str | None = None
    status: ProcurementStatus
    contract_id: str | None = None
    contract_status: str | None = None
    end_date: date
    days_left: int
    municipalities: list[MunicipalityRefOut]
    technologies: list[str]
    suppliers: list[SupplierRefOut]
    total_value: int | float | None = None
    currency: str | None = None


class RadarOut(BaseModel):
    today: date
    months: int
    until: date
    contracts: list[RadarContractOut]


class SupplierOut(BaseModel):
    id: str
    name: str | None = None
    org_number: str | None = None
    ocids: list[str]
    processes: int = Field(description="Contracting processes with an award naming the supplier")
    municipalities: list[str]
    technologies: list[str]
    total_value_nok: int | float | None = Field(None, description="Contract (else award) value in NOK")


class SupplierDetailOut(SupplierOut):
    contracts: list[RecordSummaryOut]


class CellSupplierOut(BaseModel):
    id: str
    name: str | None = None
