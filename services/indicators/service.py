"""The indicators service: consumes ``pilot-events`` and keeps the current alarm and competence reports.

Thin over :mod:`.reports`: parse the batch's indicator events, register their ids (which
catches an ``event_id`` reused for other content), load the current reports of the keys
the batch touches (one round trip per collection), keep the latest per key, and write the
changed reports with the consumer position last (one transaction on SQLite; elsewhere
every write is idempotent, so a replay after a crash half-way converges).

Entries that do not parse are left to the adoption service, which dead-letters them and
records the rejection for ``GET /v1/events/{id}``; pilot events are skipped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemas.events import INDICATOR_EVENT_TYPES, DeadLetter
from schemas.parsing import EventRefused, FieldError, load_recorded
from services.core.decoding import decode_entry
from services.core.ports import LogEntry, Upsert, Write
from services.core.projector import BatchReport, Projection, Projector
from services.indicators.reports import (
    ALARM_REPORTS,
    COLLECTIONS,
    COMPETENCE_REPORTS,
    INDICATOR_EVENTS,
    Report,
    current_reports,
    report_from_event,
)

INDEXES = {
    ALARM_REPORTS: ("municipality", "region", "technology", "platform"),
    COMPETENCE_REPORTS: ("municipality", "region", "programme"),
}
_CONFLICT = FieldError(
    "event_id", "conflicting_event_id", "This event_id was already used for an event with other content"
)


@dataclass(slots=True)
class IndicatorsBatchReport(BatchReport):
    """Also the indicator events taken and the current reports changed."""

    indicator_events: int = 0
    changed: int = 0


@dataclass(frozen=True, slots=True)
class _Incoming:
    entry: LogEntry
    collection: str
    report: Report
    content_hash: str


class IndicatorsService(Projector[IndicatorsBatchReport]):
    """Consumer of ``pilot-events`` that maintains the current alarm and competence reports."""

    name = "indicators"
    collections = COLLECTIONS
    indexes = INDEXES

    def project(self, entries: Sequence[LogEntry]) -> Projection[IndicatorsBatchReport]:
        """Keep the latest report per key among the stored ones and the batch's."""
        incoming, letters = self._accepted(self._parsed(entries))
        writes: list[Write] = []
        changed = 0
        for collection in (ALARM_REPORTS, COMPETENCE_REPORTS):
            reports = [i.report for i in incoming if i.collection == collection]
            if not reports:
                continue
            stored = self.store.get_many(collection, {r["_id"] for r in reports})
            current = current_reports(stored, reports)
            changed += len(current)
            writes += [Upsert(collection, current[key]) for key in sorted(current)]
        return Projection(
            letters, writes, IndicatorsBatchReport(indicator_events=len(incoming), changed=changed)
        )

    def _parsed(self, entries: Sequence[LogEntry]) -> list[_Incoming]:
        out = []
        for entry in entries:
            try:
                recorded = load_recorded(decode_entry(entry))
            except EventRefused:
                continue  # dead-lettered by the adoption service, which owns refusals on this topic
            if recorded.event.type not in INDICATOR_EVENT_TYPES:
                continue
            collection, report = report_from_event(recorded.event)
            out.append(_Incoming(entry, collection, report, recorded.content_hash))
        return out

    def _accepted(self, incoming: list[_Incoming]) -> tuple[list[_Incoming], list[DeadLetter]]:
        """Register the events' ids; refuse those already used for other content.

        A redelivered event (same id, same content) is applied again: harmless, since the
        latest report per key wins, and needed if a crash came after the registration but
        before the reports were written.
        """
        first: dict[str, _Incoming] = {}
        letters: list[DeadLetter] = []
        for item in incoming:
            event_id = item.report["event_id"]
            earlier = first.get(event_id)
            if earlier is None:
                first[event_id] = item
            elif earlier.content_hash != item.content_hash:
                letters.append(self._letter(item))
        if not first:
            return [], letters
        registrations = [
            {
                "_id": event_id,
                "collection": item.collection,
                "key": item.report["_id"],
                "hash": item.content_hash,
            }
            for event_id, item in first.items()
        ]
        known = self.store.insert_new(INDICATOR_EVENTS, registrations)
        stored = self.store.get_many(INDICATOR_EVENTS, known) if known else {}
        accepted = []
        for event_id, item in first.items():
            if event_id in known and stored.get(event_id, {}).get("hash") != item.content_hash:
                letters.append(self._letter(item))
            else:
                accepted.append(item)
        return accepted, letters

    def _letter(self, item: _Incoming) -> DeadLetter:
        return self.dead_letters.letter(
            item.entry, "conflicting_event_id", [_CONFLICT], item.report["event_id"]
        )
