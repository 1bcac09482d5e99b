"""Event files for ``alliance import``: JSON Lines or CSV, one event per line/row.

CSV columns: ``event_id, type, municipality, occurred_at`` and the payload fields as
``payload.<name>`` (lists such as ``payload.partners`` and ``payload.tags`` separated by
``|``). Empty cells are left out. Each item carries its line number for the summary.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from alliance.importers.base import Importer, Item, Location, Outcome, Reason
from alliance.importers.lines import read_json_lines
from schemas.parsing import FieldError
from services.governance.audit import AuditLog
from services.intake.events import IngestService

LIST_FIELDS = {"partners", "tags"}
INVALID_JSON = Reason("$", "invalid_json")


def _row_to_event(row: dict[str, str | None]) -> dict[str, Any]:
    """An event from one CSV row: the envelope columns, and ``payload.*`` into the payload."""
    event: dict[str, Any] = {}
    payload: dict[str, Any] = {}
    for column, raw in row.items():
        if column is None or raw is None or raw == "":
            continue
        if column.startswith("payload."):
            name = column.removeprefix("payload.")
            payload[name] = [p.strip() for p in raw.split("|") if p.strip()] if name in LIST_FIELDS else raw
        else:
            event[column] = raw
    event["payload"] = payload
    return event


class EventImport(Importer):
    """Imports pilot events through :class:`IngestService`; refusals are named by field and rule."""

    action: ClassVar[str] = "events.import"

    def __init__(self, path: Path, ingest: IngestService, audit: AuditLog | None = None) -> None:
        super().__init__(path, audit)
        self.ingest = ingest

    def read(self, file: Path) -> Iterator[Item]:
        """Every event with its line number (``.csv`` → CSV, otherwise JSON Lines)."""
        if file.suffix.lower() == ".csv":
            yield from self._read_csv(file)
        else:
            yield from read_json_lines(file, lambda number: f"line {number}", INVALID_JSON)

    @staticmethod
    def _read_csv(file: Path) -> Iterator[Item]:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                yield Item(Location(f"line {reader.line_num}", reader.line_num), _row_to_event(row))

    def submit(self, file: Path, items: list[Item]) -> list[Outcome]:
        """One outcome per event, in order."""
        results = self.ingest.submit([item.value for item in items], "import")
        return [
            Outcome(item.location, r.outcome, r.event_id, [Reason(self.place(e), e.rule) for e in r.errors])
            for item, r in zip(items, results, strict=True)
        ]

    def place(self, error: FieldError) -> str:
        """Where a refusal is, as the summary names it: the event's field path."""
        return error.field
