"""The adoption service's working set: the pilots, facts and cells it is currently working on.

A worker owns its partitions, so it can keep what it has loaded in memory and only write
to the store — the way Kafka Streams keeps local state stores and Faust keeps tables.
The store stays the system of record: a pilot is loaded once (its state *rebuilt from its
stored facts*, which also repairs a state lost in a crash), then kept current in memory.
On a rebalance the working set is simply cleared and reloaded on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.adoption.records import Fact, PilotState


@dataclass
class WorkingSet:
    """In-memory pilots (state and every fact) and cells."""

    states: dict[str, PilotState] = field(default_factory=dict)
    facts: dict[str, dict[str, Fact]] = field(default_factory=dict)
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_period: dict[str, dict[str, list[Fact]]] = field(default_factory=dict)

    def clear(self) -> None:
        self.states.clear()
        self.facts.clear()
        self.cells.clear()
        self.by_period.clear()

    def load(self, pilot_id: str, facts: dict[str, Fact]) -> None:
        """Take a pilot's stored facts (replacing what was held for it)."""
        self.facts[pilot_id] = {}
        self.by_period[pilot_id] = {}
        for fact in facts.values():
            self.add(fact)

    def forget(self, pilot_id: str) -> None:
        self.facts.pop(pilot_id, None)
        self.by_period.pop(pilot_id, None)
        self.states.pop(pilot_id, None)

    def add(self, fact: Fact) -> None:
        """Record a fact of a loaded pilot (indexed by period for metrics)."""
        from services.adoption.projection import period_key

        pilot_id = fact.pilot_id
        self.facts.setdefault(pilot_id, {})[fact.event_id] = fact
        key = period_key(fact)
        if key:
            self.by_period.setdefault(pilot_id, {}).setdefault(key, []).append(fact)

    def known(self, pilot_ids: set[str]) -> dict[str, Fact]:
        """Every fact of the given (loaded) pilots, by event_id."""
        out: dict[str, Fact] = {}
        for pilot_id in pilot_ids:
            out.update(self.facts.get(pilot_id, {}))
        return out

    def period_facts(self, pilot_id: str) -> dict[str, list[Fact]]:
        """The pilot's metrics facts grouped by (pilot, period) id."""
        return self.by_period.get(pilot_id, {})
