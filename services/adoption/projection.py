"""Pure batch projection: new facts + current pilot and cell documents → documents to write.

Split in two steps because the cells a batch touches are known only after the pilots
are derived (a pilot may move cell when a correction changes its technology):

1. :func:`project_pilots` folds the batch into pilot documents;
2. :func:`project_cells` folds the changed pilots into cell documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.adoption.cells import aggregate_cell, cell_key, contribution
from services.adoption.pilots import Fact, PilotView, derive_pilot


@dataclass(slots=True)
class PilotChange:
    """One pilot before and after a batch."""

    pilot_id: str
    before: PilotView | None
    after: PilotView
    document: dict[str, Any]


@dataclass(slots=True)
class StatusChange:
    event_id: str
    status: str
    reason: str | None
    fact: Fact


@dataclass(slots=True)
class PilotsOutcome:
    changes: list[PilotChange] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)
    duplicates: int = 0
    conflicts: list[Fact] = field(default_factory=list)

    def touched_cells(self) -> set[str]:
        keys: set[str] = set()
        for change in self.changes:
            for view in (change.before, change.after):
                key = cell_key(view)
                if key:
                    keys.add(key)
        return keys


def same_content(a: Fact, b: Fact) -> bool:
    """Equal facts, ignoring where in the log each copy was read from."""
    return all(a.get(k) == b.get(k) for k in ("type", "m", "at", "p"))


# What a stored pilot document keeps besides its facts: enough to place it in a cell, to
# filter and list pilots, and to detect ownership changes. The full view (history,
# metrics, lessons) is derived from the facts when a pilot is read.
STORED_FIELDS = (
    "pilot_id",
    "registered",
    "municipality",
    "region",
    "technology",
    "title",
    "started_on",
    "phase",
    "phase_since",
    "users_active",
    "devices_deployed",
    "hours_saved",
    "avoided_visits",
    "cost_nok",
    "updated_at",
)


def pilot_document(view: PilotView, facts: dict[str, Fact]) -> dict[str, Any]:
    """The stored form of a pilot: summary fields plus every fact."""
    doc = {k: view[k] for k in STORED_FIELDS if k in view}
    doc["_id"] = view["pilot_id"]
    doc["facts"] = facts
    return doc


def _view_of(document: Mapping[str, Any] | None) -> PilotView | None:
    if document is None:
        return None
    return {k: v for k, v in document.items() if k not in ("_id", "facts")}


def project_pilots(documents: Mapping[str, Mapping[str, Any]], facts: Iterable[Fact]) -> PilotsOutcome:
    """Fold ``facts`` into the pilot ``documents`` (keyed by pilot id).

    Facts already known (same ``event_id``) are ignored, so redelivery is harmless.
    Only pilots that actually changed are returned.
    """
    outcome = PilotsOutcome()
    new_facts: dict[str, dict[str, Fact]] = {}
    for fact in facts:
        pilot_id = fact["p"]["pilot_id"]
        seen = documents.get(pilot_id, {}).get("facts", {}).get(fact["id"])
        if seen is None:
            seen = new_facts.get(pilot_id, {}).get(fact["id"])
        if seen is None:
            new_facts.setdefault(pilot_id, {})[fact["id"]] = fact
        elif same_content(seen, fact):
            outcome.duplicates += 1
        else:
            outcome.conflicts.append(fact)

    for pilot_id, added in new_facts.items():
        previous = documents.get(pilot_id)
        facts_now = {**(previous or {}).get("facts", {}), **added}
        before = _view_of(previous)
        after = derive_pilot(pilot_id, facts_now)
        outcome.changes.append(PilotChange(pilot_id, before, after, pilot_document(after, facts_now)))
        # Only new facts change status, unless the owner changed (an earlier registration
        # arrived late): then every fact of the pilot is re-judged.
        owner_changed = (before or {}).get("municipality") != after.get("municipality")
        judged = facts_now if owner_changed else added
        for event_id in judged:
            status = after["statuses"][event_id]
            state, _, reason = status.partition(":")
            outcome.statuses.append(StatusChange(event_id, state, reason or None, facts_now[event_id]))
    return outcome


@dataclass(slots=True)
class CellsOutcome:
    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


def project_cells(cells: Mapping[str, Mapping[str, Any]], changes: Iterable[PilotChange]) -> CellsOutcome:
    """Apply pilot changes to the cells they touch (``cells`` keyed by cell id)."""
    contributions: dict[str, dict[str, dict[str, Any]]] = {
        key: dict(doc.get("contributions", {})) for key, doc in cells.items()
    }
    coordinates: dict[str, tuple[str, str, str]] = {
        key: (doc["municipality"], doc["region"], doc["technology"]) for key, doc in cells.items()
    }
    touched: set[str] = set()
    for change in changes:
        old_key, new_key = cell_key(change.before), cell_key(change.after)
        if old_key and old_key != new_key:
            contributions.setdefault(old_key, {}).pop(change.pilot_id, None)
            touched.add(old_key)
        if new_key:
            contributions.setdefault(new_key, {})[change.pilot_id] = contribution(change.after)
            coordinates[new_key] = (
                change.after["municipality"],
                change.after["region"],
                change.after["technology"],
            )
            touched.add(new_key)
    outcome = CellsOutcome()
    for key in sorted(touched):
        if contributions.get(key):
            municipality, region, technology = coordinates[key]
            outcome.upserts.append(aggregate_cell(municipality, region, technology, contributions[key]))
        elif key in cells:
            outcome.deletes.append(key)
    return outcome
