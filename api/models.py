"""Response models: they document the API (OpenAPI) and are checked by the tests."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from api.indicator_models import AlarmMonthOut, AlarmSummaryOut, TechnologyAlarmsOut


class FieldErrorOut(BaseModel):
    field: str = Field(description="Path of the refused field, e.g. payload.title")
    rule: str = Field(description="Machine-readable rule, e.g. string_too_long, identity_number")
    message: str


class ErrorOut(BaseModel):
    detail: str
    errors: list[FieldErrorOut] | None = None


class EventAcceptedOut(BaseModel):
    event_id: str
    status: Literal["accepted", "duplicate"]


class EventRefusedOut(BaseModel):
    event_id: str | None = None
    status: Literal["refused", "conflict"]
    detail: str
    errors: list[FieldErrorOut]


class BatchItemOut(BaseModel):
    index: int
    event_id: str | None = None
    status: Literal["accepted", "duplicate", "refused", "conflict"]
    errors: list[FieldErrorOut] | None = None


class BatchOut(BaseModel):
    results: list[BatchItemOut]
    accepted: int
    duplicate: int
    refused: int
    conflict: int


class EventStatusOut(BaseModel):
    event_id: str
    status: Literal["accepted", "processed", "rejected"]
    reason: str | None = None
    detail: str | None = None
    errors: list[FieldErrorOut] | None = None


class CellOut(BaseModel):
    municipality: str
    technology: str
    phase: str
    phase_since: str | None
    pilots: int
    users_active: int | None = Field(description="null when suppressed (1–4, see `suppressed`)")
    devices_deployed: int | None = Field(description="null when suppressed (1–4, see `suppressed`)")
    hours_saved: float
    avoided_visits: int
    cost_nok: float
    updated_at: str
    alarms: AlarmMonthOut | None = Field(None, description="Latest reported alarm month, if any")
    suppressed: list[str] | None = Field(
        None, description="Small counts (1–4) hidden from this caller; absent when none"
    )


class AdoptionOut(BaseModel):
    as_of: str | None = Field(description="occurred_at of the newest fact in these cells")
    cells: list[CellOut]


class MunicipalityOut(BaseModel):
    code: str
    code_pre2020: str
    name: str
    region: str
    org_number: str
    population_2013: int
    member: bool
    technologies: int


class PilotSummaryOut(BaseModel):
    pilot_id: str
    technology: str | None = None
    title: str | None = None
    phase: str | None = None
    phase_since: str | None = None
    started_on: date | None = None


class MunicipalityProfileOut(BaseModel):
    code: str
    code_pre2020: str
    name: str
    region: str
    org_number: str
    population_2013: int
    population_2019: int | None
    member: bool
    cells: list[CellOut]
    pilots: list[PilotSummaryOut]
    alarms: AlarmSummaryOut | None = Field(None, description="Alarm reception, where reported")


class TechnologyOut(BaseModel):
    code: str
    name_nb: str
    name_en: str
    recommended: int
    municipalities: int


class TechnologyMunicipalityOut(BaseModel):
    municipality: str
    phase: str
    pilots: int
    member: bool


class TechnologyViewOut(BaseModel):
    code: str
    name_nb: str
    name_en: str
    recommended: int
    phases: dict[str, int]
    members: int
    members_adopting: int
    adoption_rate: float = Field(description="Share of members implementing or in operation")
    municipalities: list[TechnologyMunicipalityOut]
    alarms: TechnologyAlarmsOut | None = Field(None, description="Alarm totals, where reported")


class PhaseStepOut(BaseModel):
    phase: str
    at: str
    event_id: str
    type: str


class OutcomeOut(BaseModel):
    outcome: str
    summary: str
    at: str
    event_id: str


class LessonOut(BaseModel):
    event_id: str
    title: str
    text: str
    tags: list[str]
    at: str


class PilotOut(BaseModel):
    pilot_id: str
    municipality: str
    region: str
    technology: str
    title: str
    started_on: date | None = None
    partners: list[str]
    target_group: str | None = None
    registered_at: str
    phase: str
    phase_since: str | None
    phase_history: list[PhaseStepOut]
    outcome: OutcomeOut | None = None
    metrics: dict[str, dict[str, float | int | str | list[str] | None]] = Field(
        description="Per period; small counts hidden from this caller are null, named in `suppressed`"
    )
    lessons: list[LessonOut]
    users_active: int | None = Field(description="null when suppressed (1–4, see `suppressed`)")
    devices_deployed: int | None = Field(description="null when suppressed (1–4, see `suppressed`)")
    hours_saved: float
    avoided_visits: int
    cost_nok: float
    updated_at: str
    suppressed: list[str] | None = Field(
        None, description="Small counts (1–4) hidden from this caller; absent when none"
    )


class MembershipOut(BaseModel):
    members: list[str]
    source: str
    as_of: str
    default: bool


class MembershipIn(BaseModel):
    members: list[str] = Field(max_length=100, description="Municipality numbers (34xx or 04xx)")
    source: str = Field(min_length=1, max_length=1000, description="Where the list comes from")
    as_of: date = Field(description="Since when the list holds")


class HealthOut(BaseModel):
    status: str
    detail: str | None = None
