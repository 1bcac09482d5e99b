"""The one mapping between the adoption records and their stored documents.

Stored documents stay compact — facts are the bulk of the store, and the key names are
written once per event — and must not nest arrays (FerretDB v1), so a phase step is an
object and an event order a two-element list. Everything that reads or writes the
``facts`` and ``pilots`` collections goes through these functions.
"""

from __future__ import annotations

from typing import Any

from services.adoption.records import (
    EventOrder,
    Fact,
    LatestFigure,
    PhaseStep,
    PilotAttributes,
    PilotState,
)
from services.adoption.state import summary

Document = dict[str, Any]


def fact_document(fact: Fact) -> Document:
    """A fact as stored: keyed by event_id, findable by pilot."""
    document: Document = {
        "_id": fact.event_id,
        "pilot_id": fact.pilot_id,
        "id": fact.event_id,
        "type": fact.event_type,
        "m": fact.municipality,
        "at": fact.occurred_at,
        "p": dict(fact.payload),
    }
    if fact.source is not None:
        document["src"] = list(fact.source)
    return document


def fact_of(document: Document) -> Fact:
    """The fact a stored document holds."""
    source = document.get("src")
    return Fact(
        event_id=document["id"],
        event_type=document["type"],
        municipality=document["m"],
        occurred_at=document["at"],
        payload=document["p"],
        source=(source[0], int(source[1]), int(source[2])) if source else None,
    )


def _order(value: list[str] | tuple[str, str] | None) -> EventOrder | None:
    return (value[0], value[1]) if value is not None else None


def _order_document(order: EventOrder | None) -> list[str] | None:
    return list(order) if order is not None else None


def pilot_document(state: PilotState) -> Document:
    """A pilot as stored and read by the views: its state and, once registered, its summary."""
    document: Document = {
        "_id": state.pilot_id,
        "pilot_id": state.pilot_id,
        "owner": state.owner,
        "owner_key": _order_document(state.owner_order),
    }
    if state.owner is None:
        return document
    attributes = state.attributes
    document.update(
        {
            "phases": [
                {"at": s.occurred_at, "id": s.event_id, "phase": s.phase, "type": s.event_type}
                for s in state.phases
            ],
            "latest": {name: [f.period, f.value] for name, f in state.latest.items()},
            "sums": dict(state.sums),
            "updated_at": state.updated_at,
            "attrs_key": _order_document(state.attributes_order),
            "attrs": None
            if attributes is None
            else {
                "technology": attributes.technology,
                "title": attributes.title,
                "started_on": attributes.started_on,
                "partners": list(attributes.partners) if attributes.partners is not None else None,
                "target_group": attributes.target_group,
            },
            **summary(state),
        }
    )
    return document


def pilot_state_of(document: Document) -> PilotState:
    """The state a stored pilot document holds (its summary fields are derived, not read)."""
    attributes = document.get("attrs")
    return PilotState(
        pilot_id=document["pilot_id"],
        owner=document.get("owner"),
        owner_order=_order(document.get("owner_key")),
        phases=[PhaseStep(s["at"], s["id"], s["phase"], s["type"]) for s in document.get("phases") or []],
        latest={name: LatestFigure(*figure) for name, figure in (document.get("latest") or {}).items()},
        sums=dict(document.get("sums") or {}),
        updated_at=document.get("updated_at"),
        attributes_order=_order(document.get("attrs_key")),
        attributes=None
        if attributes is None
        else PilotAttributes(
            technology=attributes.get("technology"),
            title=attributes.get("title"),
            started_on=attributes.get("started_on"),
            partners=tuple(attributes["partners"]) if attributes.get("partners") is not None else None,
            target_group=attributes.get("target_group"),
        ),
    )
