"""Run the pure projection over batches with an in-memory dict as the store (no server)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from schemas.parsing import parse_event
from services.adoption.pilots import derive_pilot, fact_from_event
from services.adoption.projection import project_cells, project_pilots
from tests.conftest import NOW


class Views:
    def __init__(self) -> None:
        self.pilots: dict[str, dict[str, Any]] = {}
        self.cells: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, tuple[str, str | None]] = {}

    def apply(self, raw_events: Iterable[dict[str, Any]], now: datetime = NOW) -> None:
        facts = [fact_from_event(parse_event(raw, now=now)) for raw in raw_events]
        outcome = project_pilots(self.pilots, facts)
        cells = project_cells(self.cells, outcome.changes)
        for change in outcome.changes:
            self.pilots[change.pilot_id] = change.document
        for doc in cells.upserts:
            self.cells[doc["_id"]] = doc
        for key in cells.deletes:
            del self.cells[key]
        for status in outcome.statuses:
            self.statuses[status.event_id] = (status.status, status.reason)

    def public_cells(self) -> dict[str, dict[str, Any]]:
        return {k: {f: v for f, v in c.items() if f != "contributions"} for k, c in self.cells.items()}

    def public_pilots(self) -> dict[str, dict[str, Any]]:
        """Stored summary plus the full view derived from the facts, per pilot."""
        return {
            k: {**{f: v for f, v in p.items() if f != "facts"}, **derive_pilot(k, p["facts"])}
            for k, p in self.pilots.items()
        }


def fold(*batches: Iterable[dict[str, Any]]) -> Views:
    views = Views()
    for batch in batches:
        views.apply(batch)
    return views
