"""Incremental pilot state: the rules of :mod:`services.adoption.pilots`, kept up to date
fact by fact instead of re-derived from every fact on each batch.

A pilot's state is small and of bounded size (its phase steps, the winning registration,
the latest users/devices figures and exact integer sums). The per-period winner of
``pilot.metrics_reported`` is decided from the stored facts of that period, so a batch
loads only the periods it touches and nothing per period is ever rewritten. The few
cases that cannot be handled incrementally — the first registration, a change of owner,
a correction that removes the figure the "latest" value came from — ask for a rebuild
from all facts of the pilot. :func:`derive_pilot` is the specification;
property tests check that both give the same summary for any order of events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from schemas.reference import reference
from services.adoption.fixed_point import SCALES, from_units, units_of
from services.adoption.pilots import PENDING, PROCESSED, REJECTED, WRONG_OWNER
from services.adoption.records import (
    Fact,
    LatestFigure,
    PeriodReport,
    PhaseStep,
    PilotAttributes,
    PilotState,
)

LATEST_FIELDS = ("users_active", "devices_deployed")
PERIOD_FIELDS = ("pilot_id", "period")


def period_id(pilot_id: str, period: str) -> str:
    return f"{pilot_id}|{period}"


@dataclass(slots=True)
class Judged:
    fact: Fact
    status: str
    reason: str | None = None


@dataclass(slots=True)
class Advanced:
    """A pilot after a batch: its new state, the period winners that changed, statuses."""

    state: PilotState
    periods: dict[str, PeriodReport] = field(default_factory=dict)
    judged: list[Judged] = field(default_factory=list)
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        """Whether the state must be written (rejected or pending facts leave it as it was).

        Not rewriting an unchanged state matters when several workers share a pilot's
        events: a worker that only rejects a foreign event must not overwrite the owner's.
        """
        return self.rebuilt or any(j.status == PROCESSED for j in self.judged)


class NeedsRebuild(Exception):
    """The batch cannot be applied incrementally; rebuild the pilot from all its facts."""


def _reported_values(fact: Fact) -> dict[str, Any]:
    return {k: v for k, v in fact.payload.items() if k not in PERIOD_FIELDS}


def winner(facts: list[Fact], owner: str) -> PeriodReport | None:
    """The report that counts for one (pilot, period): the owner's latest by (occurred_at, id)."""
    own = [f for f in facts if f.municipality == owner]
    if not own:
        return None
    best = max(own, key=lambda f: f.order)
    return PeriodReport(best.payload["period"], best.order, _reported_values(best))


def advance(state: PilotState, period_facts: Mapping[str, list[Fact]], facts: list[Fact]) -> Advanced:
    """Apply new facts (ids not seen before) to a pilot; raise :class:`NeedsRebuild` if unsafe.

    ``period_facts`` must hold the stored facts of every (pilot, period) the new facts
    report on, keyed by :func:`period_id`.
    """
    state = state.copy()
    result = Advanced(state)
    registrations = [f for f in facts if f.event_type == "pilot.registered"]
    if state.owner is None or state.owner_order is None:
        if registrations:
            raise NeedsRebuild("first registration")
        result.judged = [Judged(f, PENDING) for f in facts]
        return result
    for registration in registrations:
        if registration.municipality != state.owner and registration.order < state.owner_order:
            raise NeedsRebuild("earlier registration by another municipality")
    winners: dict[str, PeriodReport] = {}
    for pid, stored in period_facts.items():
        best = winner(stored, state.owner)
        if best is not None:
            winners[pid] = best
    _apply_all(state, winners, result, facts)
    return result


def rebuild(pilot_id: str, facts: list[Fact]) -> Advanced:
    """The state of a pilot from all its facts (the slow, always-correct path)."""
    state = PilotState(pilot_id)
    registrations = [f for f in facts if f.event_type == "pilot.registered"]
    if not registrations:
        return Advanced(state, judged=[Judged(f, PENDING) for f in facts], rebuilt=True)
    first = min(registrations, key=lambda f: f.order)
    state.owner, state.owner_order = first.municipality, first.order
    state.sums = dict.fromkeys(SCALES, 0)
    result = Advanced(state, rebuilt=True)
    winners: dict[str, PeriodReport] = {}
    _apply_all(state, winners, result, facts)
    result.periods = winners
    return result


def _apply_all(
    state: PilotState, winners: dict[str, PeriodReport], result: Advanced, facts: list[Fact]
) -> None:
    for fact in sorted(facts, key=lambda f: f.order):
        if fact.municipality != state.owner:
            result.judged.append(Judged(fact, REJECTED, WRONG_OWNER))
            continue
        _apply(state, winners, result, fact)
        result.judged.append(Judged(fact, PROCESSED))


def _apply(state: PilotState, winners: dict[str, PeriodReport], result: Advanced, fact: Fact) -> None:
    kind, order = fact.event_type, fact.order
    state.updated_at = max(state.updated_at or "", fact.occurred_at)
    if kind == "pilot.registered":
        assert state.owner_order is not None
        if order < state.owner_order:
            state.owner_order = order
        if state.attributes_order is None or order > state.attributes_order:
            state.attributes_order = order
            state.attributes = _attributes(fact)
        # Only the earliest registration is a "planning" step; later ones correct attributes.
        state.phases = [p for p in state.phases if p.event_type != "pilot.registered"]
        state.phases.append(PhaseStep(*state.owner_order, "planning", "pilot.registered"))
    elif kind == "pilot.phase_changed":
        state.phases.append(PhaseStep(*order, fact.payload["phase"], kind))
    elif kind == "pilot.concluded":
        outcome = fact.payload["outcome"]
        if outcome != "continued":
            phase = "operation" if outcome == "scaled_up" else "discontinued"
            state.phases.append(PhaseStep(*order, phase, kind))
    elif kind == "pilot.metrics_reported":
        _apply_metrics(state, winners, result, fact)
    state.phases.sort(key=lambda step: step.order)


def _attributes(registration: Fact) -> PilotAttributes:
    payload = registration.payload
    partners = payload.get("partners")
    return PilotAttributes(
        technology=payload.get("technology"),
        title=payload.get("title"),
        started_on=payload.get("started_on"),
        partners=tuple(partners) if partners is not None else None,
        target_group=payload.get("target_group"),
    )


def _apply_metrics(state: PilotState, winners: dict[str, PeriodReport], result: Advanced, fact: Fact) -> None:
    period = fact.payload["period"]
    pid = period_id(state.pilot_id, period)
    current = winners.get(pid)
    if current is not None and current.order >= fact.order:
        return  # an earlier report for a period that has already been corrected
    values = _reported_values(fact)
    new = PeriodReport(period, fact.order, values)
    old_units = units_of(dict(current.values)) if current else dict.fromkeys(SCALES, 0)
    new_units = units_of(values)
    for name in SCALES:
        state.sums[name] += new_units[name] - old_units[name]
    for name in LATEST_FIELDS:
        latest = state.latest.get(name)
        if name in values:
            if latest is None or period >= latest.period:
                state.latest[name] = LatestFigure(period, values[name])
        elif latest is not None and latest.period == period:
            if not result.rebuilt:
                # The corrected report dropped the figure the latest value came from; the
                # earlier periods are not in memory.
                raise NeedsRebuild("latest figure withdrawn by a correction")
            state.latest.pop(name)
            _latest_from(state, {**winners, pid: new}, name)
    winners[pid] = new
    result.periods[pid] = new


def _latest_from(state: PilotState, winners: dict[str, PeriodReport], name: str) -> None:
    """The latest period reporting ``name``, from a complete set of period winners."""
    reporting = [w for w in winners.values() if name in w.values]
    if reporting:
        best = max(reporting, key=lambda w: w.period)
        state.latest[name] = LatestFigure(best.period, best.values[name])


def summary(state: PilotState) -> dict[str, Any]:
    """The flat fields the views and cells read, of a registered pilot."""
    owner = state.owner
    assert owner is not None, "only a registered pilot has a summary"
    phases = state.phases
    current = phases[-1].phase if phases else "planning"
    since = phases[-1].occurred_at if phases else None
    for step in reversed(phases):
        if step.phase != current:
            break
        since = step.occurred_at
    live = current != "discontinued"
    attributes = state.attributes or PilotAttributes()

    def latest(name: str) -> int:
        figure = state.latest.get(name)
        return int(figure.value) if live and figure is not None else 0

    return {
        "registered": True,
        "municipality": owner,
        "region": reference().region_of(owner),
        "technology": attributes.technology,
        "title": attributes.title,
        "started_on": attributes.started_on,
        "phase": current,
        "phase_since": since,
        "users_active": latest("users_active"),
        "devices_deployed": latest("devices_deployed"),
        "units": dict(state.sums),
        **{name: from_units(name, units) for name, units in state.sums.items()},
    }
