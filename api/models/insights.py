"""``/v1/lessons``, ``/v1/benefits``, peers and diffusion: what the alliance has learnt and gained."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.models.procurement import CellSupplierOut


class LessonOut(BaseModel):
    lesson_id: str = Field(description="event_id of the lesson or of the concluding event")
    kind: str = Field(description="lesson (pilot.lesson_recorded) or conclusion (pilot.concluded summary)")
    pilot_id: str
    pilot_title: str
    municipality: str
    region: str
    technology: str
    phase_at_time: str = Field(description="The pilot's phase when the lesson was written")
    outcome: str | None = Field(description="The pilot's outcome, once concluded")
    title: str
    text: str
    tags: list[str]
    at: str
    score: float = Field(description="Relevance (BM25); 0 without search words")
    matched: int = Field(description="How many of the search words the lesson contains")


class LessonsOut(BaseModel):
    query: str
    total: int
    limit: int
    offset: int
    lessons: list[LessonOut]


class BenefitFigures(BaseModel):
    hours_saved: float
    cost_nok: float
    avoided_visits: int


class BenefitPoint(BenefitFigures):
    period: str


class BenefitGroup(BaseModel):
    pilots: int
    totals: BenefitFigures
    series: list[BenefitPoint]


class TechnologyBenefits(BenefitGroup):
    technology: str


class RegionBenefits(BenefitGroup):
    region: str


class BenefitsOut(BaseModel):
    alliance: BenefitGroup
    technologies: list[TechnologyBenefits]
    regions: list[RegionBenefits]


class PeerPilot(BaseModel):
    pilot_id: str
    title: str
    phase: str
    phase_since: str | None
    started_on: str | None


class PeerLesson(BaseModel):
    lesson_id: str
    kind: str
    pilot_id: str
    title: str
    text: str
    tags: list[str]
    at: str


class PeerOut(BaseModel):
    municipality: str
    region: str | None
    same_region: bool
    phase: str
    phase_since: str | None
    months_in_phase: int
    reason_code: str = Field(description="higher_phase or longer_in_operation")
    reason: str
    pilots: list[PeerPilot]
    lessons: list[PeerLesson]
    suppliers: list[CellSupplierOut] = Field(description="Suppliers of its contracts, where known")


class PeersOut(BaseModel):
    municipality: str
    technology: str
    phase: str | None = Field(description="This municipality's own phase (null: not started)")
    phase_since: str | None
    peers: list[PeerOut]


class DiffusionPoint(BaseModel):
    quarter: str
    last_day: str
    planning: int
    piloting: int
    implementing: int
    operation: int


class DiffusionOut(BaseModel):
    technology: str
    members: int
    phases: list[str]
    quarters: list[DiffusionPoint]
