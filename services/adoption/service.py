"""The adoption service: consumes ``pilot-events`` batches and maintains the adoption views.

Thin over the pure projection: parse, load the documents a batch touches (one round trip
per collection), project, write everything back with the consumer position last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from schemas.events import DeadLetter
from schemas.parsing import EventRefused, FieldError, load_recorded
from schemas.privacy import identity_number_paths
from services.adoption.cells import aggregate_cell, contribution
from services.adoption.pilots import REJECTED, Fact, fact_from_event
from services.adoption.projection import (
    advance_pilots,
    cells_touched,
    period_key,
    project_cells,
    rebuild_pilots,
    split_new,
    touched_periods,
)
from services.dead_letters import DeadLetterSink
from services.ports import Delete, DocumentStore, LogEntry, Upsert, Write

PILOTS = "pilots"
FACTS = "facts"
CELLS = "cells"
REJECTIONS = "rejections"
POSITIONS = "positions"
INDEXES = {
    PILOTS: ("municipality", "technology", "region", "phase"),
    FACTS: ("pilot_id", "pk"),
    CELLS: ("municipality", "technology", "region", "phase"),
}
VIEW_COLLECTIONS = (PILOTS, FACTS, CELLS, REJECTIONS)


@dataclass(slots=True)
class BatchReport:
    """What one batch did (for logs, metrics and tests)."""

    consumed: int = 0
    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0


def position_id(consumer: str, topic: str, partition: int) -> str:
    return f"{consumer}:{topic}:{partition}"


def decode_entry(entry: LogEntry) -> dict[str, Any]:
    """The JSON object in a log entry, or :class:`EventRefused` naming why not."""
    try:
        document = orjson.loads(entry.value)
    except orjson.JSONDecodeError:
        raise EventRefused([FieldError("$", "invalid_json", "Not valid JSON")]) from None
    if not isinstance(document, dict):
        raise EventRefused([FieldError("$", "type", "An event must be a JSON object")])
    return document


def safe_event_id(document: Any) -> str | None:
    """The event_id of a refused document, if it is safe to repeat (short, no identity number)."""
    if isinstance(document, dict) and isinstance(document.get("event_id"), str):
        value = document["event_id"]
        if len(value) <= 64 and not identity_number_paths(value):
            return value
    return None


def fact_document(fact: Fact) -> dict[str, Any]:
    """A fact as stored: keyed by event_id, findable by pilot and by (pilot, period)."""
    doc = {**fact, "_id": fact["id"], "pilot_id": fact["p"]["pilot_id"]}
    key = period_key(fact)
    if key:
        doc["pk"] = key
    return doc


def _rejection(event_id: str, reason: str, errors: Sequence[FieldError]) -> dict[str, Any]:
    return {"_id": event_id, "status": "rejected", "reason": reason, "errors": [e.as_dict() for e in errors]}


class AdoptionService:
    """Consumer of ``pilot-events`` that maintains pilots, cells and event statuses."""

    name = "adoption"

    def __init__(self, store: DocumentStore, dead_letters: DeadLetterSink) -> None:
        self.store = store
        self.dead_letters = dead_letters
        for collection, fields in INDEXES.items():
            store.ensure_indexes(collection, fields)

    def position(self, topic: str, partition: int) -> int:
        """The next offset to read, as committed together with the state."""
        doc = self.store.get(POSITIONS, position_id(self.name, topic, partition))
        return int(doc["offset"]) if doc else 0

    def handle(self, entries: Sequence[LogEntry]) -> BatchReport:
        """Apply a batch of log entries. Safe to call again with the same entries."""
        entries = self._unapplied(entries)
        letters: list[DeadLetter] = []
        writes: list[Write] = []
        facts: list[Fact] = []
        for entry in entries:
            document: Any = None
            try:
                document = decode_entry(entry)
                recorded = load_recorded(document)
            except EventRefused as refused:
                reason = "invalid_json" if document is None else "validation_failed"
                event_id = safe_event_id(document)
                letters.append(self.dead_letters.letter(entry, reason, refused.errors, event_id))
                if event_id:
                    writes.append(Upsert(REJECTIONS, _rejection(event_id, reason, refused.errors)))
                continue
            facts.append(fact_from_event(recorded.event, (entry.topic, entry.partition, entry.offset)))

        # One round trip per collection: known facts, pilot states, touched period winners.
        split = split_new(self.store.get_many(FACTS, {f["id"] for f in facts}) if facts else {}, facts)
        pilot_ids = {f["p"]["pilot_id"] for f in split.new}
        states = self.store.get_many(PILOTS, pilot_ids) if pilot_ids else {}
        states = self._with_recovered_states(states, pilot_ids)
        touched = touched_periods(split.new)
        period_facts: dict[str, list[Fact]] = {}
        if touched:
            for doc in self.store.find(FACTS, {"pk": {"$in": sorted(touched)}}):
                period_facts.setdefault(doc["pk"], []).append(doc)
        advanced, rebuild_ids = advance_pilots(states, period_facts, split.new)
        if rebuild_ids:
            advanced.update(self._rebuild(rebuild_ids, split.new, writes))

        changes = [(pid, states.get(pid), result.state) for pid, result in advanced.items() if result.changed]
        touched_cells = cells_touched(changes)
        cell_docs = self.store.get_many(CELLS, touched_cells) if touched_cells else {}
        cells = project_cells(self._with_recovered_cells(cell_docs, touched_cells), changes)

        # Grouped by collection so each becomes one bulk statement / bulk_write.
        results = list(advanced.values())
        # Facts first: a pilot whose state is lost can always be rebuilt from them.
        writes += [Upsert(FACTS, fact_document(f)) for f in split.new]
        writes += [Upsert(PILOTS, r.state) for r in results if r.changed]
        judged = [j for r in results for j in r.judged]
        letters += [self._letter_for(j.fact, j.reason or REJECTED) for j in judged if j.status == REJECTED]
        writes += [Upsert(CELLS, doc) for doc in cells.upserts]
        writes += [Delete(CELLS, key) for key in cells.deletes]
        letters += [self._letter_for(f, "conflicting_event_id") for f in split.conflicts]
        writes += self._positions(entries)

        # Dead letters first: after a crash before the state write the batch is replayed and
        # the letters are sent again; readers of dead-letter key them by event_id and reason.
        self.dead_letters.send(letters)
        self.store.write(writes)
        return BatchReport(
            consumed=len(entries),
            applied=len(split.new),
            duplicates=split.duplicates,
            dead_lettered=len(letters),
        )

    def _unapplied(self, entries: Sequence[LogEntry]) -> Sequence[LogEntry]:
        """Drop redelivered entries below the position committed with the state.

        Applying them again would be harmless (facts are keyed by event_id); skipping them
        is just cheaper after a rebalance or a restart from an older broker offset.
        """
        keys = {position_id(self.name, e.topic, e.partition) for e in entries}
        positions = {k: int(d["offset"]) for k, d in self.store.get_many(POSITIONS, keys).items()}
        if not positions:
            return entries
        return [
            e for e in entries if e.offset >= positions.get(position_id(self.name, e.topic, e.partition), 0)
        ]

    def _rebuild(self, pilot_ids: set[str], new: list[Fact], writes: list[Write]) -> dict[str, Any]:
        """Rebuild pilots from all their facts (first registration, owner change, withdrawn figure)."""
        stored = self.store.find(FACTS, {"pilot_id": {"$in": sorted(pilot_ids)}})
        return rebuild_pilots([*stored, *(f for f in new if f["p"]["pilot_id"] in pilot_ids)])

    def _with_recovered_cells(
        self, cells: dict[str, dict[str, Any]], touched: set[str]
    ) -> dict[str, dict[str, Any]]:
        """Recreate touched cells that are missing although pilots still contribute to them."""
        recovered = dict(cells)
        for key in sorted(touched - set(cells)):
            municipality, technology = key.split(":", 1)
            pilots = [
                p
                for p in self.store.find(PILOTS, {"municipality": municipality, "technology": technology})
                if p.get("registered")
            ]
            if pilots:
                contributions = {p["pilot_id"]: contribution(p) for p in pilots}
                recovered[key] = aggregate_cell(municipality, pilots[0]["region"], technology, contributions)
        return recovered

    def _with_recovered_states(
        self, states: dict[str, dict[str, Any]], pilot_ids: set[str]
    ) -> dict[str, dict[str, Any]]:
        """Rebuild states that are missing although the pilot has facts.

        Normally a missing state means a new pilot. After a crash between a backend's delete
        and insert (servers without transactions) it means a lost state: the facts, written
        first and never deleted, bring it back.
        """
        missing = sorted(pilot_ids - set(states))
        if not missing:
            return states
        stored = self.store.find(FACTS, {"pilot_id": {"$in": missing}})
        if not stored:
            return states
        recovered = {pid: r.state for pid, r in rebuild_pilots(stored).items() if r.state.get("owner")}
        return {**states, **recovered}

    def _letter_for(self, fact: Fact, reason: str) -> DeadLetter:
        topic, partition, offset = fact.get("src") or ("pilot-events", -1, -1)
        entry = LogEntry(topic, partition, offset, fact["m"], b"")
        return self.dead_letters.letter(entry, reason, [], fact["id"])

    def _positions(self, entries: Sequence[LogEntry]) -> list[Write]:
        last: dict[tuple[str, int], int] = {}
        for entry in entries:
            key = (entry.topic, entry.partition)
            last[key] = max(last.get(key, -1), entry.offset)
        return [
            Upsert(
                POSITIONS,
                {
                    "_id": position_id(self.name, topic, partition),
                    "consumer": self.name,
                    "topic": topic,
                    "partition": partition,
                    "offset": offset + 1,
                },
            )
            for (topic, partition), offset in last.items()
        ]
