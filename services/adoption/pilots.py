"""Pure derivation of a pilot's state from the set of facts (events) known about it.

The state is a function of the *set* of events: arrival order and duplicates cannot
change it, because every rule below picks by ``(occurred_at, event_id)`` and facts are
keyed by ``event_id``. No I/O and no clock.
"""

from __future__ import annotations

from typing import Any

from schemas.events import METRIC_FIELDS
from schemas.reference import reference
from services.adoption.fixed_point import SCALES, from_units, units_of
from services.adoption.records import Fact

PilotView = dict[str, Any]

PROCESSED = "processed"
PENDING = "accepted"
REJECTED = "rejected"
WRONG_OWNER = "pilot_owned_by_other_municipality"

_RANK = reference().phase_rank


def _order(fact: Fact) -> tuple[str, str]:
    return fact.order


def _owner(registrations: list[Fact]) -> str | None:
    # The earliest registration decides ownership, so a late-arriving but earlier
    # registration cannot be overruled by whoever happened to arrive first.
    return min(registrations, key=_order).municipality if registrations else None


def _phase_history(applied: list[Fact], first_registration: Fact | None) -> list[dict[str, Any]]:
    history = []
    for fact in sorted(applied, key=_order):
        if fact.event_type == "pilot.registered" and fact is first_registration:
            phase = "planning"
        elif fact.event_type == "pilot.phase_changed":
            phase = fact.payload["phase"]
        elif fact.event_type == "pilot.concluded" and fact.payload["outcome"] != "continued":
            phase = "operation" if fact.payload["outcome"] == "scaled_up" else "discontinued"
        else:
            continue
        history.append(
            {"phase": phase, "at": fact.occurred_at, "event_id": fact.event_id, "type": fact.event_type}
        )
    return history


def _phase_since(history: list[dict[str, Any]]) -> str | None:
    if not history:
        return None
    current = history[-1]["phase"]
    since = history[-1]["at"]
    for step in reversed(history):
        if step["phase"] != current:
            break
        since = step["at"]
    return since


def _metrics(applied: list[Fact]) -> dict[str, dict[str, Any]]:
    by_period: dict[str, Fact] = {}
    for fact in applied:
        if fact.event_type != "pilot.metrics_reported":
            continue
        period = fact.payload["period"]
        current = by_period.get(period)
        if current is None or _order(fact) > _order(current):
            by_period[period] = fact
    return {
        period: {
            **{k: v for k, v in fact.payload.items() if k in METRIC_FIELDS},
            "reported_at": fact.occurred_at,
            "event_id": fact.event_id,
        }
        for period, fact in sorted(by_period.items())
    }


def _latest_value(metrics: dict[str, dict[str, Any]], field: str) -> int:
    for period in sorted(metrics, reverse=True):
        if field in metrics[period]:
            return int(metrics[period][field])
    return 0


def derive_pilot(pilot_id: str, facts: dict[str, Fact]) -> PilotView:
    """Everything the views need about one pilot, from all facts known for it."""
    registrations = [f for f in facts.values() if f.event_type == "pilot.registered"]
    owner = _owner(registrations)
    statuses: dict[str, str] = {}
    applied: list[Fact] = []
    for fact in facts.values():
        if owner is None:
            statuses[fact.event_id] = PENDING
        elif fact.municipality != owner:
            statuses[fact.event_id] = f"{REJECTED}:{WRONG_OWNER}"
        else:
            statuses[fact.event_id] = PROCESSED
            applied.append(fact)
    view: PilotView = {"pilot_id": pilot_id, "registered": owner is not None, "statuses": statuses}
    if owner is None:
        return view

    own_registrations = sorted((f for f in applied if f.event_type == "pilot.registered"), key=_order)
    first, latest = own_registrations[0], own_registrations[-1]
    history = _phase_history(applied, first)
    metrics = _metrics(applied)
    conclusions = sorted((f for f in applied if f.event_type == "pilot.concluded"), key=_order)
    lessons = sorted((f for f in applied if f.event_type == "pilot.lesson_recorded"), key=_order)
    phase = history[-1]["phase"] if history else "planning"
    live = phase != "discontinued"
    units = {field: sum(units_of(m)[field] for m in metrics.values()) for field in SCALES}
    view.update(
        {
            "municipality": owner,
            "region": reference().region_of(owner),
            "technology": latest.payload["technology"],
            "title": latest.payload["title"],
            "started_on": latest.payload.get("started_on"),
            "partners": latest.payload.get("partners", []),
            "target_group": latest.payload.get("target_group"),
            "registered_at": first.occurred_at,
            "phase": phase,
            "phase_since": _phase_since(history),
            "phase_history": history,
            "outcome": (
                {
                    "outcome": conclusions[-1].payload["outcome"],
                    "summary": conclusions[-1].payload["summary"],
                    "at": conclusions[-1].occurred_at,
                    "event_id": conclusions[-1].event_id,
                }
                if conclusions
                else None
            ),
            "metrics": metrics,
            "lessons": [
                {
                    "event_id": f.event_id,
                    "title": f.payload["title"],
                    "text": f.payload["text"],
                    "tags": f.payload.get("tags", []),
                    "at": f.occurred_at,
                }
                for f in lessons
            ],
            "users_active": _latest_value(metrics, "users_active") if live else 0,
            "devices_deployed": _latest_value(metrics, "devices_deployed") if live else 0,
            "units": units,
            **{field: from_units(field, value) for field, value in units.items()},
            "updated_at": max(f.occurred_at for f in applied),
        }
    )
    return view


def fact_status(fact: Fact, owner: str | None) -> tuple[str, str | None]:
    """Where an event stands, given its pilot's owner (None while the pilot is unregistered)."""
    if owner is None:
        return PENDING, None
    if fact.municipality != owner:
        return REJECTED, WRONG_OWNER
    return PROCESSED, None


def phase_rank(phase: str) -> int:
    """Rank of a phase code; discontinued ranks below planning."""
    return _RANK[phase]
