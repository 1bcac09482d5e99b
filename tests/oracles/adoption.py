"""A reference fold of the adoption rules, written from the README and nothing else.

It imports no production code: it is the independent specification the property tests
compare the incremental projector against. Slow and obvious on purpose — every rule is
recomputed from the whole set of events each time.

The rules (README, "Rules worth knowing" and the adoption view's description):

* Events are identified by ``event_id``; the same id twice counts once.
* A pilot belongs to the municipality of its earliest registration (the smallest
  ``(occurred_at, event_id)``). Events of other municipalities for it are rejected;
  events before any registration wait.
* The latest event by ``(occurred_at, event_id)`` decides: the latest registration gives
  the technology and title; the phase is that of the latest phase-giving event (the first
  registration: planning; a phase change: its phase; a conclusion ``scaled_up``:
  operation, ``discontinued``: discontinued, ``continued``: no change).
* Metrics: per period the latest report counts; hours saved, avoided visits and cost are
  summed over periods; users and devices are those of the latest period that reports them,
  and count only while the pilot is not discontinued.
* A cell (municipality × technology) has the highest phase among its live pilots
  (discontinued when all are), since the earliest of those pilots reached it; current
  figures of live pilots and cumulative figures of all pilots are summed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

PHASE_ORDER = ("discontinued", "planning", "piloting", "implementing", "operation")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _order(event: dict[str, Any]) -> tuple[datetime, str]:
    return _instant(event["occurred_at"]), event["event_id"]


@dataclass
class ReferencePilot:
    """What the rules say about one pilot."""

    pilot_id: str
    owner: str | None = None
    technology: str | None = None
    title: str | None = None
    phase: str | None = None
    phase_since: datetime | None = None
    users_active: int = 0
    devices_deployed: int = 0
    hours_saved: Decimal = Decimal(0)
    avoided_visits: int = 0
    cost_nok: Decimal = Decimal(0)
    lessons: int = 0
    rejected: set[str] = field(default_factory=set)
    waiting: set[str] = field(default_factory=set)


@dataclass
class ReferenceCell:
    municipality: str
    technology: str
    phase: str
    phase_since: datetime
    pilots: int
    users_active: int
    devices_deployed: int
    hours_saved: Decimal
    avoided_visits: int
    cost_nok: Decimal


def _phase_given(event: dict[str, Any], first_registration: dict[str, Any]) -> str | None:
    kind, payload = event["type"], event["payload"]
    if kind == "pilot.registered":
        return "planning" if event is first_registration else None
    if kind == "pilot.phase_changed":
        return payload["phase"]
    if kind == "pilot.concluded":
        return {"scaled_up": "operation", "discontinued": "discontinued"}.get(payload["outcome"])
    return None


def reference_pilot(pilot_id: str, events: list[dict[str, Any]]) -> ReferencePilot:
    """The pilot as the rules define it, from every distinct event naming it."""
    pilot = ReferencePilot(pilot_id)
    registrations = [e for e in events if e["type"] == "pilot.registered"]
    if not registrations:
        pilot.waiting = {e["event_id"] for e in events}
        return pilot
    first = min(registrations, key=_order)
    pilot.owner = first["municipality"]
    own = sorted((e for e in events if e["municipality"] == pilot.owner), key=_order)
    pilot.rejected = {e["event_id"] for e in events if e["municipality"] != pilot.owner}
    latest_registration = [e for e in own if e["type"] == "pilot.registered"][-1]
    pilot.technology = latest_registration["payload"]["technology"]
    pilot.title = latest_registration["payload"]["title"]

    steps = [(e, p) for e in own if (p := _phase_given(e, first)) is not None]
    pilot.phase = steps[-1][1]
    since = _order(steps[-1][0])[0]
    for event, phase in reversed(steps):
        if phase != pilot.phase:
            break
        since = _order(event)[0]
    pilot.phase_since = since

    latest_per_period: dict[str, dict[str, Any]] = {}
    for event in own:
        if event["type"] == "pilot.metrics_reported":
            latest_per_period[event["payload"]["period"]] = event  # own is in order: later wins
    for period in sorted(latest_per_period):
        payload = latest_per_period[period]["payload"]
        pilot.hours_saved += Decimal(str(payload.get("hours_saved", 0)))
        pilot.avoided_visits += int(payload.get("avoided_visits", 0))
        pilot.cost_nok += Decimal(str(payload.get("cost_nok", 0)))
    if pilot.phase != "discontinued":
        for name in ("users_active", "devices_deployed"):
            for period in sorted(latest_per_period, reverse=True):
                if name in latest_per_period[period]["payload"]:
                    setattr(pilot, name, int(latest_per_period[period]["payload"][name]))
                    break
    pilot.lessons = sum(1 for e in own if e["type"] == "pilot.lesson_recorded")
    return pilot


def reference_views(
    events: list[dict[str, Any]],
) -> tuple[dict[str, ReferencePilot], dict[str, ReferenceCell]]:
    """Pilots and cells from a list of raw events (duplicates by ``event_id`` count once)."""
    distinct: dict[str, dict[str, Any]] = {}
    for event in events:
        distinct.setdefault(event["event_id"], event)
    by_pilot: dict[str, list[dict[str, Any]]] = {}
    for event in distinct.values():
        by_pilot.setdefault(event["payload"]["pilot_id"], []).append(event)
    pilots = {pid: reference_pilot(pid, group) for pid, group in by_pilot.items()}

    groups: dict[tuple[str, str], list[ReferencePilot]] = {}
    for pilot in pilots.values():
        if pilot.owner is not None and pilot.technology is not None:
            groups.setdefault((pilot.owner, pilot.technology), []).append(pilot)
    cells = {}
    for (municipality, technology), members in groups.items():
        live = [p for p in members if p.phase != "discontinued"]
        if live:
            top = max(PHASE_ORDER.index(p.phase or "planning") for p in live)
            at_top = [p for p in live if PHASE_ORDER.index(p.phase or "planning") == top]
            phase, since = PHASE_ORDER[top], min(p.phase_since for p in at_top if p.phase_since)
        else:
            phase, since = "discontinued", max(p.phase_since for p in members if p.phase_since)
        cells[f"{municipality}:{technology}"] = ReferenceCell(
            municipality=municipality,
            technology=technology,
            phase=phase,
            phase_since=since,
            pilots=len(members),
            users_active=sum(p.users_active for p in live),
            devices_deployed=sum(p.devices_deployed for p in live),
            hours_saved=sum((p.hours_saved for p in members), Decimal(0)),
            avoided_visits=sum(p.avoided_visits for p in members),
            cost_nok=sum((p.cost_nok for p in members), Decimal(0)),
        )
    return pilots, cells
