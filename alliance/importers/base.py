"""The one shape of a file import: read items, submit them in batches, tally and audit the outcomes.

A subclass says how to read a file (:meth:`Importer.read`: items, each with its location
and its value or the reason it could not be read) and how to submit a batch of readable
items through an ingest service (:meth:`Importer.submit`: one :class:`Outcome` per item or
release). The base does the rest the same way for every kind of file: batches, one audit
entry per batch, and a :class:`Summary` of outcomes and refusal reasons for the command line
to render. Refusals name where (a field, a column or a path) and the rule, never the value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal

from alliance.audit import LOCAL_IMPORT, operator_audit
from services.governance.audit import AuditItem, AuditLog

MAX_EXAMPLES = 20


@dataclass(frozen=True, slots=True)
class Location:
    """Where an item stands, as the summary names it (``line 4``, ``row 2``, ``a.jsonl:4``, ``a.json``).

    ``number`` is the line or row (0 for a whole file); it keeps a batch's outcomes in file order.
    """

    label: str
    number: int = 0

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Reason:
    """Why something was refused: where (field, column or path) and the rule."""

    where: str
    rule: str


@dataclass(slots=True)
class Item:
    """One unit read from a file: its location, and its decoded value or the reason it is unreadable.

    ``size`` is how many bytes of the file it covers (byte-limited batches and progress).
    """

    location: Location
    value: Any = None
    error: Reason | None = None
    size: int = 0


@dataclass(slots=True)
class Outcome:
    """What the ingest service did with one item (or one release of it).

    ``items`` is how many items it stands for: a submission refused as a whole stands for
    every release in it. ``removed`` counts personal-data fields taken out of an accepted release.
    """

    location: Location
    outcome: str
    id: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    items: int = 1
    removed: int = 0

    def audit_item(self) -> AuditItem:
        """The outcome as the audit log keeps it: id, outcome and rules, never values."""
        return AuditItem(self.id, self.outcome, tuple(r.rule for r in self.reasons))


@dataclass(slots=True)
class Summary:
    """What an import did: the counts by outcome, the refusals by where and rule, the first examples."""

    files: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: list[tuple[Location, list[Reason]]] = field(default_factory=list)
    removed: int = 0

    @property
    def failed(self) -> bool:
        """Whether anything was refused or conflicted (the command then exits 1)."""
        return bool(self.counts["refused"] or self.counts["conflict"])


def chunks(items: Iterable[Item], most: int, most_bytes: int | None = None) -> Iterator[list[Item]]:
    """Consecutive batches of at most ``most`` readable items and ``most_bytes`` bytes of them.

    Unreadable items travel with the batch they were read in and count against neither limit.
    """
    batch: list[Item] = []
    readable = size = 0
    for item in items:
        if item.error is None:
            full = readable >= most or (most_bytes is not None and size + item.size > most_bytes)
            if readable and full:
                yield batch
                batch, readable, size = [], 0, 0
            readable += 1
            size += item.size
        batch.append(item)
    if batch:
        yield batch


def count_lines(path: Path) -> int:
    """Number of data lines (non-blank, less the header of a ``.csv`` file), for progress."""
    with path.open("rb") as handle:
        total = sum(1 for line in handle if line.strip())
    return max(total - 1, 0) if path.suffix.lower() == ".csv" else total


class Importer(ABC):
    """Imports the file (or folder) at ``path``; every batch lands in ``audit`` (when given) as one entry."""

    #: The audit log's name for this kind of write.
    action: ClassVar[str]
    #: What the progress goes by: data lines (``items``) or ``bytes``.
    progress_unit: ClassVar[Literal["items", "bytes"]] = "items"
    batch_items: ClassVar[int] = 1000
    batch_bytes: ClassVar[int | None] = None

    def __init__(self, path: Path, audit: AuditLog | None = None) -> None:
        self.path = path
        self._audit = operator_audit(audit, self.action, LOCAL_IMPORT, f"alliance import {path.name}")

    @cached_property
    def sources(self) -> list[Path]:
        """The files to read: ``path`` itself unless a subclass reads folders."""
        return [self.path]

    def progress_total(self) -> int:
        """How much there is to do, in :attr:`progress_unit`."""
        if self.progress_unit == "bytes":
            return sum(file.stat().st_size for file in self.sources)
        return sum(count_lines(file) for file in self.sources)

    @abstractmethod
    def read(self, file: Path) -> Iterator[Item]:
        """Every item of ``file`` in order, each readable or with the reason it is not."""

    @abstractmethod
    def submit(self, file: Path, items: list[Item]) -> list[Outcome]:
        """Submit readable ``items`` of ``file`` through the ingest service; their outcomes."""

    def grouped(self, where: str) -> str:
        """Where a refusal is, as the summary groups refusals (a subclass may fold indexes)."""
        return where

    def run(self, advance: Callable[[int], None] = lambda done: None) -> Summary:
        """Import every source in batches; ``advance`` is told the progress made after each batch."""
        summary = Summary(files=len(self.sources))
        for file in self.sources:
            for batch in chunks(self.read(file), self.batch_items, self.batch_bytes):
                readable = [item for item in batch if item.error is None]
                outcomes = self.submit(file, readable) if readable else []
                outcomes += [
                    Outcome(item.location, "refused", reasons=[item.error]) for item in batch if item.error
                ]
                outcomes.sort(key=lambda outcome: outcome.location.number)
                self._audit([outcome.audit_item() for outcome in outcomes])
                for outcome in outcomes:
                    self._tally(summary, outcome)
                advance(sum(i.size for i in batch) if self.progress_unit == "bytes" else len(batch))
        return summary

    def _tally(self, summary: Summary, outcome: Outcome) -> None:
        summary.counts[outcome.outcome] += outcome.items
        summary.removed += outcome.removed
        for reason in outcome.reasons:
            summary.reasons[(self.grouped(reason.where), reason.rule)] += 1
        if outcome.reasons and len(summary.examples) < MAX_EXAMPLES:
            summary.examples.append((outcome.location, outcome.reasons))
