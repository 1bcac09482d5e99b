"""OCDS files for ``alliance import-ocds``.

Accepted inputs:

* a ``.json`` file holding a release package (or one release, or a list of releases):
  one submission per file;
* a ``.jsonl`` / ``.ndjson`` file with one release per line: lines are grouped into
  submissions of at most :data:`LINES_PER_SUBMISSION` releases and
  :data:`BYTES_PER_SUBMISSION` bytes, each release remembering its line number;
* a directory: every such file below it, in name order.

Refusals are reported by file (and line, for JSON Lines) with their path and rule, never
with the refused value; paths inside a JSON Lines file are relative to the line (``$.date``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import ClassVar

import orjson

from alliance.importers.base import Importer, Item, Location, Outcome, Reason
from alliance.importers.lines import read_json_lines
from services.governance.audit import AuditLog
from services.intake.releases import ProcurementIngest
from services.procurement.validation import Refusal

JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
LINES_PER_SUBMISSION = 500
BYTES_PER_SUBMISSION = 4 * 1024 * 1024
NOT_JSON = Reason("$", "json")
_INDEX = re.compile(r"\[\d+\]")


def find_files(path: Path) -> list[Path]:
    """``path`` itself, or the OCDS files below a directory, sorted."""
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in JSON_SUFFIXES | JSONL_SUFFIXES
        )
    return [path]


def is_json_lines(path: Path) -> bool:
    """Whether ``path`` is read as one release per line."""
    return path.suffix.lower() in JSONL_SUFFIXES


def _reasons(refusals: list[Refusal]) -> list[Reason]:
    return [Reason(r.path, r.rule) for r in refusals]


def _within_line(refusal: Refusal) -> Reason:
    """A refusal of release ``i`` of a batch of lines, its path inside that line (``$[i].x`` → ``$.x``)."""
    prefix = f"$[{refusal.release_index}]"
    if refusal.release_index is None or not refusal.path.startswith(prefix):
        return Reason(refusal.path, refusal.rule)
    return Reason("$" + refusal.path[len(prefix) :], refusal.rule)


class OcdsImport(Importer):
    """Imports release packages and JSON Lines of releases through :class:`ProcurementIngest`."""

    action: ClassVar[str] = "procurement.import"
    progress_unit = "bytes"
    batch_items = LINES_PER_SUBMISSION
    batch_bytes = BYTES_PER_SUBMISSION

    def __init__(self, path: Path, ingest: ProcurementIngest, audit: AuditLog | None = None) -> None:
        super().__init__(path, audit)
        self.ingest = ingest

    @cached_property
    def sources(self) -> list[Path]:
        """``path`` itself, or every OCDS file below the folder ``path``."""
        return find_files(self.path)

    def read(self, file: Path) -> Iterator[Item]:
        """A JSON Lines file line by line; any other file as one item."""
        if is_json_lines(file):
            yield from read_json_lines(file, lambda number: f"{file.name}:{number}", NOT_JSON)
            return
        data = file.read_bytes()
        location = Location(file.name)
        try:
            yield Item(location, orjson.loads(data), size=len(data))
        except orjson.JSONDecodeError:
            yield Item(location, error=NOT_JSON, size=len(data))

    def submit(self, file: Path, items: list[Item]) -> list[Outcome]:
        """One submission: the lines of a batch, or a whole file; an outcome per release."""
        lines = is_json_lines(file)
        value = [item.value for item in items] if lines else items[0].value
        if value == []:
            return []
        result = self.ingest.submit(value)
        if result.refusals:
            where = items[0].location if len(items) == 1 else Location(file.name)
            return [Outcome(where, "refused", None, _reasons(result.refusals), items=result.refused)]
        return [
            Outcome(
                items[release.index].location if lines else items[0].location,
                release.outcome,
                release.release_id,
                [_within_line(r) for r in release.refusals] if lines else _reasons(release.refusals),
                removed=len(release.removed),
            )
            for release in result.results
        ]

    def grouped(self, where: str) -> str:
        """Paths with their indexes folded (``$.releases[*].date``), so like refusals count together."""
        return _INDEX.sub("[*]", where)
