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

from dataclasses import dataclass, field
from typing import Any

from schemas.reference import reference
from services.adoption.fixed_point import SCALES, from_units, units_of
from services.adoption.pilots import PENDING, PROCESSED, REJECTED, WRONG_OWNER, Fact

State = dict[str, Any]
Period = dict[str, Any]
LATEST_FIELDS = ("users_active", "devices_deployed")
ATTRIBUTES = ("technology", "title", "started_on", "partners", "target_group")


def period_id(pilot_id: str, period: str) -> str:
    return f"{pilot_id}|{period}"


def _key(fact: Fact) -> list[str]:
    return [fact["at"], fact["id"]]


@dataclass(slots=True)
class Judged:
    fact: Fact
    status: str
    reason: str | None = None


@dataclass(slots=True)
class Advanced:
    """A pilot after a batch: its new state, the period winners that changed, statuses."""

    state: State
    periods: dict[str, Period] = field(default_factory=dict)
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


def empty_state(pilot_id: str) -> State:
    return {"_id": pilot_id, "pilot_id": pilot_id, "owner": None, "owner_key": None}


def winner(facts: list[Fact], owner: str) -> Period | None:
    """The report that counts for one (pilot, period): the owner's latest by (occurred_at, id)."""
    own = [f for f in facts if f["m"] == owner]
    if not own:
        return None
    best = max(own, key=_key)
    values = {k: v for k, v in best["p"].items() if k not in ("pilot_id", "period")}
    return {"period": best["p"]["period"], "key": _key(best), "values": values}


def advance(state: State, period_facts: dict[str, list[Fact]], facts: list[Fact]) -> Advanced:
    """Apply new facts (ids not seen before) to a pilot; raise :class:`NeedsRebuild` if unsafe.

    ``period_facts`` must hold the stored facts of every (pilot, period) the new facts
    report on, keyed by :func:`period_id`.
    """
    state = _copy(state)
    result = Advanced(state)
    registrations = [f for f in facts if f["type"] == "pilot.registered"]
    if state["owner"] is None:
        if registrations:
            raise NeedsRebuild("first registration")
        result.judged = [Judged(f, PENDING) for f in facts]
        return result
    for reg in registrations:
        if reg["m"] != state["owner"] and _key(reg) < state["owner_key"]:
            raise NeedsRebuild("earlier registration by another municipality")
    winners: dict[str, Period] = {}
    for pid, stored in period_facts.items():
        best = winner(stored, state["owner"])
        if best is not None:
            winners[pid] = best
    for fact in sorted(facts, key=_key):
        if fact["m"] != state["owner"]:
            result.judged.append(Judged(fact, REJECTED, WRONG_OWNER))
            continue
        _apply(state, winners, result, fact)
        result.judged.append(Judged(fact, PROCESSED))
    _summarise(state)
    return result


def rebuild(pilot_id: str, facts: list[Fact]) -> Advanced:
    """The state of a pilot from all its facts (the slow, always-correct path)."""
    state = empty_state(pilot_id)
    registrations = [f for f in facts if f["type"] == "pilot.registered"]
    if not registrations:
        return Advanced(state, judged=[Judged(f, PENDING) for f in facts], rebuilt=True)
    first = min(registrations, key=_key)
    state["owner"], state["owner_key"] = first["m"], _key(first)
    state.update({"phases": [], "latest": {}, "sums": dict.fromkeys(SCALES, 0), "updated_at": None})
    result = Advanced(state, rebuilt=True)
    winners: dict[str, Period] = {}
    for fact in sorted(facts, key=_key):
        if fact["m"] != state["owner"]:
            result.judged.append(Judged(fact, REJECTED, WRONG_OWNER))
            continue
        _apply(state, winners, result, fact)
        result.judged.append(Judged(fact, PROCESSED))
    _summarise(state)
    result.periods = winners
    return result


def _copy(state: State) -> State:
    copied = dict(state)
    for name in ("phases", "latest", "sums", "attrs_key", "attrs"):
        if name in copied and copied[name] is not None:
            value = copied[name]
            copied[name] = list(value) if isinstance(value, list) else dict(value)
    return copied


def _step(key: list[str], phase: str, kind: str) -> dict[str, str]:
    # A phase step is an object, not a list: documents must not nest arrays (FerretDB v1).
    return {"at": key[0], "id": key[1], "phase": phase, "type": kind}


def _apply(state: State, winners: dict[str, Period], result: Advanced, fact: Fact) -> None:
    kind, key = fact["type"], _key(fact)
    state["updated_at"] = max(state.get("updated_at") or "", fact["at"])
    if kind == "pilot.registered":
        if key < state["owner_key"]:
            state["owner_key"] = key
        if state.get("attrs_key") is None or key > state["attrs_key"]:
            state["attrs_key"], state["attrs"] = key, {a: fact["p"].get(a) for a in ATTRIBUTES}
        # Only the earliest registration is a "planning" step; later ones correct attributes.
        state["phases"] = [p for p in state["phases"] if p["type"] != "pilot.registered"]
        state["phases"].append(_step(state["owner_key"], "planning", "pilot.registered"))
    elif kind == "pilot.phase_changed":
        state["phases"].append(_step(key, fact["p"]["phase"], kind))
    elif kind == "pilot.concluded":
        outcome = fact["p"]["outcome"]
        if outcome != "continued":
            state["phases"].append(
                _step(key, "operation" if outcome == "scaled_up" else "discontinued", kind)
            )
    elif kind == "pilot.metrics_reported":
        _apply_metrics(state, winners, result, fact)
    state["phases"].sort(key=lambda step: (step["at"], step["id"]))


def _apply_metrics(state: State, winners: dict[str, Period], result: Advanced, fact: Fact) -> None:
    period = fact["p"]["period"]
    pid = period_id(state["pilot_id"], period)
    current = winners.get(pid)
    if current is not None and current["key"] >= _key(fact):
        return  # an earlier report for a period that has already been corrected
    values = {k: v for k, v in fact["p"].items() if k not in ("pilot_id", "period")}
    new = {"period": period, "key": _key(fact), "values": values}
    old_units = units_of(current["values"]) if current else dict.fromkeys(SCALES, 0)
    new_units = units_of(values)
    for name in SCALES:
        state["sums"][name] += new_units[name] - old_units[name]
    for name in LATEST_FIELDS:
        latest = state["latest"].get(name)
        if name in values:
            if latest is None or period >= latest[0]:
                state["latest"][name] = [period, values[name]]
        elif latest is not None and latest[0] == period:
            if not result.rebuilt:
                # The corrected report dropped the figure the latest value came from; the
                # earlier periods are not in memory.
                raise NeedsRebuild("latest figure withdrawn by a correction")
            state["latest"].pop(name)
            _latest_from(state, {**winners, pid: new}, name)
    winners[pid] = new
    result.periods[pid] = new


def _latest_from(state: State, winners: dict[str, Period], name: str) -> None:
    """The latest period reporting ``name``, from a complete set of period winners."""
    reporting = [w for w in winners.values() if name in w["values"]]
    if reporting:
        best = max(reporting, key=lambda w: w["period"])
        state["latest"][name] = [best["period"], best["values"][name]]


def _summarise(state: State) -> None:
    """The flat fields the views and cells read."""
    owner = state["owner"]
    phases = state["phases"]
    current = phases[-1]["phase"] if phases else "planning"
    since = phases[-1]["at"] if phases else None
    for step in reversed(phases):
        if step["phase"] != current:
            break
        since = step["at"]
    live = current != "discontinued"
    attrs = state.get("attrs") or {}
    state.update(
        {
            "registered": True,
            "municipality": owner,
            "region": reference().region_of(owner),
            "technology": attrs.get("technology"),
            "title": attrs.get("title"),
            "started_on": attrs.get("started_on"),
            "phase": current,
            "phase_since": since,
            "users_active": int(state["latest"].get("users_active", [None, 0])[1]) if live else 0,
            "devices_deployed": int(state["latest"].get("devices_deployed", [None, 0])[1]) if live else 0,
            "units": dict(state["sums"]),
            **{name: from_units(name, units) for name, units in state["sums"].items()},
        }
    )
