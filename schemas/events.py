"""Event contracts: one envelope, five pilot event types (pydantic v2, ``extra="forbid"``).

These models are the single source of truth for the JSON Schema and AsyncAPI exports
(``alliance export-schemas``). Validation that needs more than the models —
identity-number screening, the size limit, the future-time limit — lives in
:mod:`schemas.parsing`, which is what every entry point calls.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from stdnum.no import orgnr

from schemas.reference import reference

SCHEMA_VERSION = 1
MAX_ENVELOPE_BYTES = 64 * 1024
MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_FUTURE_HOURS = 24

_REF = reference()
TechnologyCode = Literal[tuple(t.code for t in _REF.technologies)]  # type: ignore[valid-type]
PhaseCode = Literal[tuple(p.code for p in _REF.phases)]  # type: ignore[valid-type]
Outcome = Literal["scaled_up", "continued", "discontinued"]
Source = Literal["api", "import", "kafka"]

# Tab, newline and carriage return are legitimate in free text; other control characters
# are never needed and are a classic vector for log and terminal injection.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "Control characters are not allowed")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value or "\t" in value:
        raise PydanticCustomError("single_line", "Must be a single line of text")
    return value


Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE),
    AfterValidator(_no_control_characters),
    AfterValidator(_single_line),
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
    AfterValidator(_no_control_characters),
]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50),
    AfterValidator(_no_control_characters),
    AfterValidator(_single_line),
]
PilotId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$"),
    Field(description="Identifier chosen by the owning municipality, unique across the alliance"),
]
Period = Annotated[
    str,
    StringConstraints(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"),
    Field(description="Calendar month, YYYY-MM"),
]
_ORG_LIKE = re.compile(r"^\d{3}\s?\d{3}\s?\d{3}$")


def _partner(value: str) -> str:
    """Organisation numbers must pass the mod-11 check; names are kept as given."""
    if _ORG_LIKE.match(value):
        if not orgnr.is_valid(value):
            raise PydanticCustomError(
                "invalid_org_number", "Looks like an organisation number but fails its check digit"
            )
        return orgnr.compact(value)
    return value


Partner = Annotated[Line, AfterValidator(_partner)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PilotRegisteredPayload(_Strict):
    pilot_id: PilotId
    technology: TechnologyCode  # type: ignore[valid-type]
    title: Line
    started_on: date | None = None
    partners: list[Partner] = Field(default_factory=list, max_length=50)
    target_group: Line | None = None


class PilotPhaseChangedPayload(_Strict):
    pilot_id: PilotId
    phase: PhaseCode  # type: ignore[valid-type]


class PilotMetricsReportedPayload(_Strict):
    pilot_id: PilotId
    period: Period
    users_active: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    devices_deployed: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    avoided_visits: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None
    hours_saved: Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)] | None = None
    cost_nok: Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _at_least_one_metric(self) -> PilotMetricsReportedPayload:
        if all(getattr(self, name) is None for name in METRIC_FIELDS):
            raise PydanticCustomError(
                "metrics_missing",
                "At least one of {fields} is required",
                {"fields": ", ".join(METRIC_FIELDS)},
            )
        return self


METRIC_FIELDS = ("users_active", "devices_deployed", "avoided_visits", "hours_saved", "cost_nok")


class PilotLessonRecordedPayload(_Strict):
    pilot_id: PilotId
    title: Line
    text: Text
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class PilotConcludedPayload(_Strict):
    pilot_id: PilotId
    outcome: Outcome
    summary: Text


class _Envelope(_Strict):
    event_id: UUID = Field(description="Idempotency key: re-sending the same event is harmless")
    schema_version: Literal[1] = SCHEMA_VERSION
    municipality: str = Field(
        description="Innlandet municipality number (34xx); a pre-2020 Hedmark number (04xx) is "
        "accepted and normalised",
        examples=["3420", "0427"],
    )
    occurred_at: AwareDatetime = Field(description="When it happened (timezone required)")

    @field_validator("municipality")
    @classmethod
    def _known_municipality(cls, value: str) -> str:
        canonical = _REF.canonical_code(value)
        if canonical is None:
            raise PydanticCustomError(
                "unknown_municipality", "Not a Hedmark/Innlandet municipality number (34xx or 04xx)"
            )
        return canonical


class PilotRegistered(_Envelope):
    """A municipality starts (plans) a pilot of a technology. The pilot belongs to it."""

    type: Literal["pilot.registered"]
    payload: PilotRegisteredPayload


class PilotPhaseChanged(_Envelope):
    """A pilot moves to another phase of the innovation roadmap."""

    type: Literal["pilot.phase_changed"]
    payload: PilotPhaseChangedPayload


class PilotMetricsReported(_Envelope):
    """Figures for one month. A later report for the same pilot and month corrects it."""

    type: Literal["pilot.metrics_reported"]
    payload: PilotMetricsReportedPayload


class PilotLessonRecorded(_Envelope):
    """Something learned that other municipalities should know."""

    type: Literal["pilot.lesson_recorded"]
    payload: PilotLessonRecordedPayload


class PilotConcluded(_Envelope):
    """The pilot ends: scaled up (operation), continued (no change) or discontinued."""

    type: Literal["pilot.concluded"]
    payload: PilotConcludedPayload


PilotEvent = Annotated[
    PilotRegistered | PilotPhaseChanged | PilotMetricsReported | PilotLessonRecorded | PilotConcluded,
    Field(discriminator="type"),
]
EVENT_MODELS: dict[str, type[_Envelope]] = {
    "pilot.registered": PilotRegistered,
    "pilot.phase_changed": PilotPhaseChanged,
    "pilot.metrics_reported": PilotMetricsReported,
    "pilot.lesson_recorded": PilotLessonRecorded,
    "pilot.concluded": PilotConcluded,
}
EVENT_TYPES = tuple(EVENT_MODELS)


class DeadLetter(_Strict):
    """What the stream side writes to ``dead-letter``: why, and where the message came from.

    Field paths only: a refused value is never copied here (it may be an identity number).
    """

    event_id: str | None = None
    reason: str = Field(description="Machine-readable reason, e.g. validation_failed, wrong_owner")
    errors: list[dict[str, str]] = Field(default_factory=list)
    topic: str
    partition: int
    offset: int
    key: str | None = None
    source: Source | None = None
    dead_lettered_at: AwareDatetime


def event_payload(event: Any) -> dict[str, Any]:
    """The JSON-ready dict of a validated event (canonical municipality, ISO times)."""
    return event.model_dump(mode="json", exclude_none=True)
