"""Pure batch projection: new facts + the documents they touch → documents to write.

The service does the I/O in between the steps:

1. :func:`split_new` separates new facts from duplicates and reused ids;
2. :func:`advance_pilots` applies new facts to each pilot's state incrementally, and names
   the pilots that need a rebuild (the service then loads all their facts);
3. :func:`rebuild_pilots` recomputes those from all their facts;
4. :func:`project_cells` folds the changed pilots into their adoption cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.adoption.cells import aggregate_cell, cell_key, contribution
from services.adoption.records import Fact, PilotState
from services.adoption.state import Advanced, NeedsRebuild, advance, period_id, rebuild


@dataclass(slots=True)
class Split:
    new: list[Fact] = field(default_factory=list)
    duplicates: int = 0
    conflicts: list[Fact] = field(default_factory=list)


def split_new(known: Mapping[str, Fact], facts: Iterable[Fact]) -> Split:
    """New facts; copies of known ones (harmless); reuses of a known id for other content."""
    split = Split()
    seen: dict[str, Fact] = {}
    for fact in facts:
        earlier = known.get(fact.event_id) or seen.get(fact.event_id)
        if earlier is None:
            seen[fact.event_id] = fact
            split.new.append(fact)
        elif earlier.same_content(fact):
            split.duplicates += 1
        else:
            split.conflicts.append(fact)
    return split


def touched_periods(facts: Iterable[Fact]) -> set[str]:
    """Ids of the (pilot, period) winners the facts may change."""
    return {key for key in map(period_key, facts) if key}


def group_by_pilot(facts: Iterable[Fact]) -> dict[str, list[Fact]]:
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(fact.pilot_id, []).append(fact)
    return groups


def period_key(fact: Fact) -> str | None:
    """The (pilot, period) a metrics fact reports on; stored on the fact for lookups."""
    if fact.event_type != "pilot.metrics_reported":
        return None
    return period_id(fact.pilot_id, fact.payload["period"])


def advance_pilots(
    states: Mapping[str, PilotState], period_facts: Mapping[str, list[Fact]], facts: list[Fact]
) -> tuple[dict[str, Advanced], set[str]]:
    """Apply new facts per pilot; return the results and the pilots that need a rebuild.

    ``period_facts`` holds the stored facts of the touched periods, keyed by period id.
    """
    advanced: dict[str, Advanced] = {}
    needs_rebuild: set[str] = set()
    for pilot_id, group in group_by_pilot(facts).items():
        state = states.get(pilot_id) or PilotState(pilot_id)
        own_periods = {k: period_facts[k] for k in {period_key(f) for f in group} if k in period_facts}
        try:
            advanced[pilot_id] = advance(state, own_periods, group)
        except NeedsRebuild:
            needs_rebuild.add(pilot_id)
    return advanced, needs_rebuild


def rebuild_pilots(all_facts: Iterable[Fact]) -> dict[str, Advanced]:
    """Rebuild each pilot from every fact known for it."""
    return {pilot_id: rebuild(pilot_id, group) for pilot_id, group in group_by_pilot(all_facts).items()}


@dataclass(slots=True)
class CellsOutcome:
    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


def project_cells(
    cells: Mapping[str, Mapping[str, Any]],
    changes: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any]]],
) -> CellsOutcome:
    """Apply pilot changes ``(pilot_id, before, after)`` to the cells (keyed by cell id)."""
    contributions = {key: dict(doc.get("contributions", {})) for key, doc in cells.items()}
    coordinates = {key: (doc["municipality"], doc["region"], doc["technology"]) for key, doc in cells.items()}
    touched: set[str] = set()
    for pilot_id, before, after in changes:
        old_key, new_key = cell_key(before), cell_key(after)
        if old_key and old_key != new_key:
            contributions.setdefault(old_key, {}).pop(pilot_id, None)
            touched.add(old_key)
        if new_key:
            contributions.setdefault(new_key, {})[pilot_id] = contribution(after)
            coordinates[new_key] = (after["municipality"], after["region"], after["technology"])
            touched.add(new_key)
    outcome = CellsOutcome()
    for key in sorted(touched):
        if contributions.get(key):
            municipality, region, technology = coordinates[key]
            outcome.upserts.append(aggregate_cell(municipality, region, technology, contributions[key]))
        elif key in cells:
            outcome.deletes.append(key)
    return outcome


def cells_touched(changes: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any]]]) -> set[str]:
    keys: set[str] = set()
    for _pilot_id, before, after in changes:
        for pilot in (before, after):
            key = cell_key(pilot)
            if key:
                keys.add(key)
    return keys
