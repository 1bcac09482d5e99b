"""The adoption service: consumes ``pilot-events`` batches and maintains the adoption views.

Thin over the pure projection: parse, load the documents a batch touches (one round trip
per collection), project; the :class:`~services.core.projector.Projector` base drops
redeliveries and writes everything back with the consumer position last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemas.events import PILOT_EVENT_TYPES, DeadLetter
from schemas.parsing import EventRefused, FieldError, load_recorded
from services.adoption.cells import aggregate_cell, cell_key, contribution
from services.adoption.documents import Document, fact_document, fact_of, pilot_document
from services.adoption.pilots import REJECTED
from services.adoption.projection import (
    Split,
    advance_pilots,
    cells_touched,
    project_cells,
    rebuild_pilots,
    split_new,
)
from services.adoption.records import Fact, PilotState, fact_from_event
from services.adoption.state import Advanced, rebuild
from services.adoption.working_set import WorkingSet
from services.core.dead_letters import DeadLetterSink
from services.core.decoding import decode_entry, safe_event_id
from services.core.ports import Delete, DocumentStore, LogEntry, Upsert, Write
from services.core.projector import BatchReport, Projection, Projector

PILOTS = "pilots"
FACTS = "facts"
CELLS = "cells"
REJECTIONS = "rejections"
INDEXES = {
    PILOTS: ("municipality", "technology", "region", "phase"),
    FACTS: ("pilot_id",),
    CELLS: ("municipality", "technology", "region", "phase"),
}
VIEW_COLLECTIONS = (PILOTS, FACTS, CELLS, REJECTIONS)


@dataclass(slots=True)
class AdoptionBatchReport(BatchReport):
    """Also the facts applied and the duplicates passed over."""

    applied: int = 0
    duplicates: int = 0


Change = tuple[str, Document | None, PilotState]
"""A pilot that changed: its id, its document before (None if new), its state after."""


def _rejection(event_id: str, reason: str, errors: Sequence[FieldError]) -> dict[str, Any]:
    return {"_id": event_id, "status": "rejected", "reason": reason, "errors": [e.as_dict() for e in errors]}


class AdoptionService(Projector[AdoptionBatchReport]):
    """Consumer of ``pilot-events`` that maintains pilots, cells and event statuses."""

    name = "adoption"
    collections = VIEW_COLLECTIONS
    indexes = INDEXES

    def __init__(self, store: DocumentStore, dead_letters: DeadLetterSink) -> None:
        self.working = WorkingSet()
        super().__init__(store, dead_letters)

    def reset(self) -> None:
        """Forget the working set and the positions (after a rebalance or a failure)."""
        super().reset()
        self.working.clear()

    def project(self, entries: Sequence[LogEntry]) -> Projection[AdoptionBatchReport]:
        """Fold the batch's pilot events into facts, pilot states and cells."""
        self._pending_letters: list[DeadLetter] = []
        letters: list[DeadLetter] = []
        writes: list[Write] = []
        facts: list[Fact] = []
        for entry in entries:
            document: Any = None
            try:
                document = decode_entry(entry)
                recorded = load_recorded(document)
            except EventRefused as refused:
                reason = "invalid_json" if refused.errors[0].rule == "invalid_json" else "validation_failed"
                event_id = safe_event_id(document)
                letters.append(self.dead_letters.letter(entry, reason, refused.errors, event_id))
                if event_id:
                    writes.append(Upsert(REJECTIONS, _rejection(event_id, reason, refused.errors)))
                continue
            if recorded.event.type not in PILOT_EVENT_TYPES:
                continue  # indicator events share the topic; the indicators service owns them
            facts.append(fact_from_event(recorded.event, (entry.topic, entry.partition, entry.offset)))

        batch = frozenset((e.topic, e.partition, e.offset) for e in entries)
        pilot_ids = {f.pilot_id for f in facts}
        repaired = self._load_pilots(pilot_ids, batch=batch)
        split = split_new(self.working.known(pilot_ids), facts)
        # Facts are written first and only ever inserted: the store refuses an id it already
        # holds, which catches an event_id reused for another pilot (the working set only
        # knows each pilot's own facts).
        reused = self.store.insert_new(FACTS, [fact_document(f) for f in split.new]) if split.new else set()
        if reused:
            repaired += self._sort_out_reused(split, reused, batch)

        pilot_ids = {f.pilot_id for f in split.new}
        states = {pid: self.working.states[pid] for pid in pilot_ids if pid in self.working.states}
        period_facts = {k: v for pid in pilot_ids for k, v in self.working.period_facts(pid).items()}
        advanced, rebuild_ids = advance_pilots(states, period_facts, split.new)
        if rebuild_ids:
            advanced.update(self._rebuild(rebuild_ids, split.new))
        for fact in split.new:
            self.working.add(fact)

        changes: list[Change] = [
            *repaired,
            *((pid, _document(states.get(pid)), r.state) for pid, r in advanced.items() if r.changed),
        ]
        # A pilot seen only through events waiting for its registration still gets a
        # (stateless) document, so that "no document" always means "no facts".
        changes += [
            (pid, None, r.state)
            for pid, r in advanced.items()
            if not r.changed and pid not in self.working.states and r.state.owner is None
        ]
        for pid, _before, after in changes:
            self.working.states[pid] = after
        documents = [(pid, before, pilot_document(after)) for pid, before, after in changes]
        cells = project_cells(self._cells(cells_touched(documents)), documents)
        for doc in cells.upserts:
            self.working.cells[doc["_id"]] = doc
        for key in cells.deletes:
            self.working.cells.pop(key, None)

        # Grouped by collection so each becomes one bulk statement / bulk_write.
        writes += [Upsert(PILOTS, after) for _pid, _before, after in documents]
        judged = [j for r in advanced.values() for j in r.judged]
        letters += [self._letter_for(j.fact, j.reason or REJECTED) for j in judged if j.status == REJECTED]
        writes += [Upsert(CELLS, doc) for doc in cells.upserts]
        writes += [Delete(CELLS, key) for key in cells.deletes]
        letters += [self._letter_for(f, "conflicting_event_id") for f in split.conflicts]
        letters += self._pending_letters
        return Projection(
            letters, writes, AdoptionBatchReport(applied=len(split.new), duplicates=split.duplicates)
        )

    def _sort_out_reused(
        self, split: Split, reused: set[str], batch: frozenset[tuple[str, int, int]]
    ) -> list[Change]:
        """Facts the store already held: a redelivery after a crash, or an id reused elsewhere.

        A redelivered fact (same content) means the crash came after the facts were written
        but before the state was: those pilots are reloaded and rebuilt from every stored
        fact — which now includes this batch's — so none of their facts is applied twice.
        """
        stored = self.store.get_many(FACTS, reused)
        by_id = {f.event_id: f for f in split.new}
        redelivered = {i for i in reused if i in stored and fact_of(stored[i]).same_content(by_id[i])}
        split.conflicts += [by_id[i] for i in reused - redelivered]
        reload = {by_id[i].pilot_id for i in redelivered}
        split.new = [f for f in split.new if f.event_id not in reused and f.pilot_id not in reload]
        for pid in reload:
            self.working.forget(pid)
        return self._load_pilots(reload, always_read_facts=True, batch=batch)

    def _load_pilots(
        self,
        pilot_ids: set[str],
        always_read_facts: bool = False,
        batch: frozenset[tuple[str, int, int]] = frozenset(),
    ) -> list[Change]:
        """Bring pilots into the working set: state rebuilt from the stored facts.

        A pilot with no stored state has no stored facts (states are written, also for
        pilots still waiting for their registration, in the same batch as their first
        facts), so only known pilots cost a read of their facts; the crash window between
        the two writes is caught by :meth:`_sort_out_reused`.

        Returns the pilots whose stored state disagreed with their facts (a crash between
        writes), as changes to write back together with their cells. So are the pilots that
        hold facts read from ``batch`` (log positions): that batch was applied in part
        before, and the crash may have come after a state was written but before its cell.
        """
        missing = sorted(pilot_ids - set(self.working.facts))
        if not missing:
            return []
        stored_states = self.store.get_many(PILOTS, missing)
        with_facts = missing if always_read_facts else sorted(stored_states)
        stored_facts: dict[str, dict[str, Fact]] = {pid: {} for pid in missing}
        if with_facts:
            for doc in self.store.find(FACTS, {"pilot_id": {"$in": with_facts}}):
                stored_facts[doc["pilot_id"]][doc["id"]] = fact_of(doc)
        repaired = []
        for pid in missing:
            self.working.load(pid, stored_facts[pid])
            if not stored_facts[pid]:
                continue
            result = rebuild(pid, list(stored_facts[pid].values()))
            before = stored_states.get(pid)
            self.working.states[pid] = result.state
            if before == pilot_document(result.state):
                if any(f.source in batch for f in stored_facts[pid].values()):
                    repaired.append((pid, before, result.state))
            else:
                repaired.append((pid, before, result.state))
                # The crash may also have come before its dead letters were sent.
                self._pending_letters += [
                    self._letter_for(j.fact, j.reason or REJECTED)
                    for j in result.judged
                    if j.status == REJECTED
                ]
        return repaired

    def _cells(self, keys: set[str]) -> dict[str, dict[str, Any]]:
        missing = sorted(keys - set(self.working.cells))
        if missing:
            self.working.cells.update(
                self._with_recovered_cells(self.store.get_many(CELLS, missing), set(missing))
            )
        return {k: self.working.cells[k] for k in keys if k in self.working.cells}

    def _rebuild(self, pilot_ids: set[str], new: list[Fact]) -> dict[str, Advanced]:
        """Rebuild pilots from all their facts (first registration, owner change, withdrawn figure)."""
        facts = [f for pid in pilot_ids for f in self.working.facts.get(pid, {}).values()]
        return rebuild_pilots([*facts, *(f for f in new if f.pilot_id in pilot_ids)])

    def _with_recovered_cells(
        self, cells: dict[str, dict[str, Any]], touched: set[str]
    ) -> dict[str, dict[str, Any]]:
        """Recreate touched cells that are missing although pilots still contribute to them.

        A missing cell is usually a new one; after a crash in the middle of a backend's
        delete-and-insert it is a lost one, and its pilots' states bring it back.
        """
        missing = sorted(touched - set(cells))
        if not missing:
            return dict(cells)
        municipalities = sorted({key.split(":", 1)[0] for key in missing})
        contributors: dict[str, list[dict[str, Any]]] = {}
        for pilot in self.store.find(PILOTS, {"municipality": {"$in": municipalities}}):
            key = cell_key(pilot)
            if key in missing:
                contributors.setdefault(key, []).append(pilot)
        recovered = dict(cells)
        for key, pilots in contributors.items():
            municipality, technology = key.split(":", 1)
            contributions = {p["pilot_id"]: contribution(p) for p in pilots}
            recovered[key] = aggregate_cell(municipality, pilots[0]["region"], technology, contributions)
        return recovered

    def _letter_for(self, fact: Fact, reason: str) -> DeadLetter:
        topic, partition, offset = fact.source or ("pilot-events", -1, -1)
        entry = LogEntry(topic, partition, offset, fact.municipality, b"")
        return self.dead_letters.letter(entry, reason, [], fact.event_id)


def _document(state: PilotState | None) -> Document | None:
    return pilot_document(state) if state is not None else None
