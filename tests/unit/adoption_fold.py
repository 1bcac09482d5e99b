"""Run the real adoption service over batches, on in-memory adapters (no files, no server)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from services.adoption.documents import fact_of
from services.adoption.pilots import derive_pilot, fact_status
from services.adoption.records import Fact
from services.adoption.service import CELLS, FACTS, PILOTS, AdoptionService
from services.core.dead_letters import DeadLetterSink
from services.core.ports import LogRecord
from streams.adapters.logs.memory import MemoryEventLog
from streams.adapters.stores.memory import MemoryDocumentStore
from tests.conftest import NOW, fixed_clock


class Views:
    """An adoption service with its own log; :meth:`apply` appends a batch and handles it."""

    def __init__(self) -> None:
        self.log = MemoryEventLog()
        self.store = MemoryDocumentStore()
        self.service = AdoptionService(self.store, DeadLetterSink(self.log, fixed_clock))

    def apply(self, raw_events: Iterable[dict[str, Any]], now: datetime = NOW) -> None:
        start = self.log.end_offset("pilot-events", 0)
        self.log.append("pilot-events", [LogRecord(e["municipality"], orjson.dumps(e)) for e in raw_events])
        entries = self.log.read("pilot-events", 0, start, 100_000)
        if entries:
            self.service.handle(entries)

    @property
    def cells(self) -> dict[str, dict[str, Any]]:
        return self.store.snapshot(CELLS)

    @property
    def statuses(self) -> dict[str, tuple[str, str | None]]:
        states = self.store.snapshot(PILOTS)
        return {
            event_id: fact_status(fact_of(doc), states.get(doc["pilot_id"], {}).get("owner"))
            for event_id, doc in self.store.snapshot(FACTS).items()
        }

    def public_cells(self) -> dict[str, dict[str, Any]]:
        return {k: {f: v for f, v in c.items() if f != "contributions"} for k, c in self.cells.items()}

    def public_pilots(self) -> dict[str, dict[str, Any]]:
        """The full view of each registered pilot, derived from its stored facts."""
        facts: dict[str, dict[str, Fact]] = {}
        for fact in map(fact_of, self.store.snapshot(FACTS).values()):
            facts.setdefault(fact.pilot_id, {})[fact.event_id] = fact
        return {pid: derive_pilot(pid, group) for pid, group in facts.items()}

    def pilot_states(self) -> dict[str, dict[str, Any]]:
        return self.store.snapshot(PILOTS)


def fold(*batches: Iterable[dict[str, Any]]) -> Views:
    views = Views()
    for batch in batches:
        views.apply(batch)
    return views
