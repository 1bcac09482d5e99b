"""``/v1/municipalities``: the member list and one municipality's profile."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from api.models.adoption import ProcurementCellOut
from api.models.indicators import AlarmSummaryOut
from api.models.procurement import RecordSummaryOut


class MunicipalityFactsOut(BaseModel):
    """A municipality as the reference data knows it (numbers before and after the 2020 reform)."""

    code: str
    code_pre2020: str
    name: str
    region: str
    org_number: str
    population_2013: int


class MunicipalityOut(MunicipalityFactsOut):
    member: bool
    technologies: int


class PilotSummaryOut(BaseModel):
    pilot_id: str
    technology: str | None = None
    title: str | None = None
    phase: str | None = None
    phase_since: str | None = None
    started_on: date | None = None


class MunicipalityProcurementProfileOut(MunicipalityFactsOut):
    population_2019: int | None
    member: bool
    cells: list[ProcurementCellOut]
    pilots: list[PilotSummaryOut]
    alarms: AlarmSummaryOut | None = Field(None, description="Alarm reception, where reported")
    procurements: list[RecordSummaryOut] = Field(default_factory=list)
