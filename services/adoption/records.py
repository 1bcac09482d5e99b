"""The adoption context's typed records: facts (accepted pilot events) and pilot state.

Plain frozen or slotted dataclasses with spelled-out field names. How they are stored
(compact keys, documents without nested arrays) is the business of one mapping,
:mod:`services.adoption.documents`; nothing else reads or writes the stored shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.core.instants import utc_key

LogPosition = tuple[str, int, int]
"""Where an event was read: (topic, partition, offset)."""

EventOrder = tuple[str, str]
"""The total order of a pilot's events: (occurred_at as a UTC key, event_id)."""


@dataclass(frozen=True, slots=True)
class Fact:
    """A validated pilot event as the adoption rules see it."""

    event_id: str
    event_type: str
    municipality: str
    occurred_at: str
    payload: Mapping[str, Any]
    source: LogPosition | None = None

    @property
    def pilot_id(self) -> str:
        return self.payload["pilot_id"]

    @property
    def order(self) -> EventOrder:
        """Every rule that picks "the earliest" or "the latest" picks by this key."""
        return self.occurred_at, self.event_id

    def same_content(self, other: Fact) -> bool:
        """Equal facts, ignoring where in the log each copy was read from."""
        return (
            self.event_type == other.event_type
            and self.municipality == other.municipality
            and self.occurred_at == other.occurred_at
            and self.payload == other.payload
        )


def fact_from_event(event: Any, source: LogPosition | None = None) -> Fact:
    """The fact of a validated pilot event.

    ``source`` (topic, partition, offset) says where the event was read, so that a later
    rejection (e.g. ownership decided by a late registration) can name it in a dead letter.
    """
    return Fact(
        event_id=str(event.event_id),
        event_type=event.type,
        municipality=event.municipality,
        occurred_at=utc_key(event.occurred_at),
        payload=event.payload.model_dump(mode="json", exclude_none=True),
        source=source,
    )


@dataclass(frozen=True, slots=True)
class PhaseStep:
    """One step of a pilot's phase history and the event that made it."""

    occurred_at: str
    event_id: str
    phase: str
    event_type: str

    @property
    def order(self) -> EventOrder:
        return self.occurred_at, self.event_id


@dataclass(frozen=True, slots=True)
class LatestFigure:
    """A current figure (users, devices) and the period it was reported for."""

    period: str
    value: int


@dataclass(frozen=True, slots=True)
class PeriodReport:
    """The report that counts for one (pilot, period): the owner's latest."""

    period: str
    order: EventOrder
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PilotAttributes:
    """What the latest registration says about a pilot."""

    technology: str | None = None
    title: str | None = None
    started_on: str | None = None
    partners: tuple[str, ...] | None = None
    target_group: str | None = None


@dataclass(slots=True)
class PilotState:
    """A pilot's incremental state; the flat summary the views read is derived from it.

    ``owner`` is None until the pilot's first registration is known; ``sums`` are exact
    integer units (see :mod:`services.adoption.fixed_point`).
    """

    pilot_id: str
    owner: str | None = None
    owner_order: EventOrder | None = None
    phases: list[PhaseStep] = field(default_factory=list)
    latest: dict[str, LatestFigure] = field(default_factory=dict)
    sums: dict[str, int] = field(default_factory=dict)
    updated_at: str | None = None
    attributes_order: EventOrder | None = None
    attributes: PilotAttributes | None = None

    @property
    def registered(self) -> bool:
        return self.owner is not None

    def copy(self) -> PilotState:
        """A copy whose containers can be changed without touching this one."""
        return PilotState(
            pilot_id=self.pilot_id,
            owner=self.owner,
            owner_order=self.owner_order,
            phases=list(self.phases),
            latest=dict(self.latest),
            sums=dict(self.sums),
            updated_at=self.updated_at,
            attributes_order=self.attributes_order,
            attributes=self.attributes,
        )
