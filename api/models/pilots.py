"""``/v1/pilots/{pilot_id}``: one pilot, its phases, outcome, metrics and lessons."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from api.models.adoption import PilotFiguresOut


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


class PilotLessonOut(BaseModel):
    event_id: str
    title: str
    text: str
    tags: list[str]
    at: str


class PilotOut(PilotFiguresOut):
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
    lessons: list[PilotLessonOut]
