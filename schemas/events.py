"""Event contracts: one envelope, five pilot event types and two indicator event types
(pydantic v2, ``extra="forbid"``).

These models are the single source of truth for the JSON Schema and AsyncAPI exports
(``alliance export-schemas``). Validation that needs more than the models —
identity-number screening, the size limit, the future-time limit — lives in
:mod:`schemas.parsing`, which is what every entry point calls.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from stdnum.no import orgnr

from schemas.bounds import EARLIEST_YEAR, CalendarDate, Instant, Month, YearOrMonth, amount, count
from schemas.reference import reference

SCHEMA_VERSION = 1
MAX_ENVELOPE_BYTES = 64 * 1024
MAX_TITLE = 200
MAX_TEXT = 10_000

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
Period = Month
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
    started_on: CalendarDate | None = None
    partners: list[Partner] = Field(default_factory=list, max_length=50)
    target_group: Line | None = None


class PilotPhaseChangedPayload(_Strict):
    pilot_id: PilotId
    phase: PhaseCode  # type: ignore[valid-type]


class PilotMetricsReportedPayload(_Strict):
    pilot_id: PilotId
    period: Period
    users_active: count(10_000_000) | None = None
    devices_deployed: count(10_000_000) | None = None
    avoided_visits: count(1_000_000_000) | None = None
    hours_saved: amount(1e9) | None = None
    cost_nok: amount(1e12) | None = None

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


AlarmPlatform = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$"),
    Field(description="Which alarm-reception platform (lower-case letters, digits and hyphens)"),
]
Count = count(10_000_000)
Seconds = amount(7 * 24 * 3600)
CompetencePeriod = YearOrMonth
Programme = Literal["velferdsteknologiens-abc", "innovation-management", "public-sector-phd", "other"]


def _at_most(field: str, limit_field: str, value: Any, data: dict[str, Any]) -> None:
    limit = data.get(limit_field)
    if value is not None and limit is not None and value > limit:
        raise PydanticCustomError(
            "exceeds_" + limit_field, "{field} may not exceed {limit}", {"field": field, "limit": limit_field}
        )


class AlarmsPeriodReportedPayload(_Strict):
    period: Period
    technology: TechnologyCode  # type: ignore[valid-type]
    platform: AlarmPlatform
    users_connected: Count
    alarms_received: Count
    alarms_false: Count = Field(description="Alarms without a need for help; at most alarms_received")
    responses_on_site: Count = Field(description="Alarms answered by staff on site; at most alarms_received")
    response_time_p50_s: Seconds | None = Field(None, description="Median time to answer, seconds")
    response_time_p90_s: Seconds | None = Field(
        None, description="90th percentile of the time to answer, seconds; at least the median"
    )

    @field_validator("alarms_false", "responses_on_site")
    @classmethod
    def _within_received(cls, value: int, info: ValidationInfo) -> int:
        _at_most(info.field_name or "", "alarms_received", value, info.data)
        return value

    @field_validator("response_time_p90_s")
    @classmethod
    def _p90_not_below_p50(cls, value: float | None, info: ValidationInfo) -> float | None:
        p50 = info.data.get("response_time_p50_s")
        if value is not None and p50 is not None and value < p50:
            raise PydanticCustomError("below_p50", "The 90th percentile cannot be below the median")
        return value


class CompetenceReportedPayload(_Strict):
    period: CompetencePeriod
    programme: Programme
    label: Line | None = Field(
        None, validate_default=True, description="Name of the programme; required for (only) `other`"
    )
    staff_enrolled: Count = Field(description="Staff who started the programme in the period")
    staff_completed: Count = Field(description="Staff who completed the programme in the period")
    hours: amount(1e9) = Field(
        description="Training hours spent in the period"
    )

    @field_validator("label")
    @classmethod
    def _label_for_other(cls, value: str | None, info: ValidationInfo) -> str | None:
        programme = info.data.get("programme")
        if programme == "other" and value is None:
            raise PydanticCustomError("label_required", "A label is required when programme is other")
        if programme is not None and programme != "other" and value is not None:
            raise PydanticCustomError("label_not_allowed", "A label is only given when programme is other")
        return value


class _Envelope(_Strict):
    event_id: UUID = Field(description="Idempotency key: re-sending the same event is harmless")
    schema_version: Literal[1] = SCHEMA_VERSION
    municipality: str = Field(
        description="Innlandet municipality number (34xx); a pre-2020 Hedmark number (04xx) is "
        "accepted and normalised",
        examples=["3420", "0427"],
    )
    occurred_at: Instant = Field(description=f"When it happened (timezone required; from {EARLIEST_YEAR})")

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


class AlarmsPeriodReported(_Envelope):
    """Alarm-reception figures for one month, platform and technology (aggregates only).

    A later report for the same municipality, platform, technology and period corrects it.
    """

    type: Literal["alarms.period_reported"]
    payload: AlarmsPeriodReportedPayload


class CompetenceReported(_Envelope):
    """Staff enrolled in, completing and training hours spent on a competence programme in a period.

    A later report for the same municipality, programme (and label) and period corrects it.
    """

    type: Literal["competence.reported"]
    payload: CompetenceReportedPayload


PilotEvent = Annotated[
    PilotRegistered
    | PilotPhaseChanged
    | PilotMetricsReported
    | PilotLessonRecorded
    | PilotConcluded
    | AlarmsPeriodReported
    | CompetenceReported,
    Field(discriminator="type"),
]
EVENT_MODELS: dict[str, type[_Envelope]] = {
    "pilot.registered": PilotRegistered,
    "pilot.phase_changed": PilotPhaseChanged,
    "pilot.metrics_reported": PilotMetricsReported,
    "pilot.lesson_recorded": PilotLessonRecorded,
    "pilot.concluded": PilotConcluded,
    "alarms.period_reported": AlarmsPeriodReported,
    "competence.reported": CompetenceReported,
}
EVENT_TYPES = tuple(EVENT_MODELS)
# The indicator events share the topic (keyed by municipality) but are not pilot facts.
INDICATOR_EVENT_TYPES = frozenset({"alarms.period_reported", "competence.reported"})
PILOT_EVENT_TYPES = frozenset(EVENT_TYPES) - INDICATOR_EVENT_TYPES


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
