"""``/v1/technologies``: the recommended technologies and how far the members are with each."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.models.indicators import TechnologyAlarmsOut


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
