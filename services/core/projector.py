"""Projectors: consumers of a topic that fold batches of log entries into read models.

Every projector keeps the same promises, so they live here once and each service only says
how a batch projects (:meth:`Projector.project`):

* its position per (topic, partition) is stored in the read-model store with the state it
  produced, written last; a worker that dies half-way gets the batch again and converges;
* entries below that position were applied already and are dropped when redelivered (after a
  rebalance, or a restart from an older broker offset);
* :meth:`Projector.reset` forgets what is kept in memory, after a rebalance or a failure;
* :meth:`Projector.skip` gives up on a batch that cannot be applied: its entries are
  dead-lettered and only their positions are written, so the stream moves past them.

Pure: a projector talks to the :class:`DocumentStore` port and the :class:`DeadLetterSink`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar, Generic, NamedTuple, Protocol, TypeVar

from schemas.events import DeadLetter
from schemas.parsing import EventRefused, FieldError
from services.core.dead_letters import DeadLetterSink
from services.core.decoding import decode_entry, safe_event_id
from services.core.ports import DocumentStore, LogEntry, Write
from services.core.positions import Partition, position_writes, read_positions

PROCESSING_ERROR = "processing_error"


@dataclass(slots=True)
class BatchReport:
    """What one batch did (for logs, metrics and tests); projectors add their own counts."""

    consumed: int = 0
    dead_lettered: int = 0


Report = TypeVar("Report", bound=BatchReport)


class BatchConsumer(Protocol):
    """What a runner (embedded or Faust) needs of the consumer it feeds."""

    name: str

    def position(self, topic: str, partition: int) -> int:
        """The next offset to read, as stored with the state."""
        ...

    def handle(self, entries: Sequence[LogEntry]) -> object:
        """Apply a batch; safe to call again with the same entries."""
        ...

    def skip(self, entries: Sequence[LogEntry], reason: str) -> int:
        """Dead-letter a batch that cannot be applied and move the position past it."""
        ...

    def reset(self) -> None:
        """Forget what is kept in memory (after a rebalance other workers may have written)."""
        ...


class Projection(NamedTuple, Generic[Report]):
    """What projecting a batch produced: letters to send, writes to make, and a report.

    The report's ``consumed`` and ``dead_lettered`` are counted by :meth:`Projector.handle`.
    """

    letters: Sequence[DeadLetter]
    writes: Sequence[Write]
    report: Report


def _event_id(entry: LogEntry) -> str | None:
    try:
        return safe_event_id(decode_entry(entry))
    except EventRefused:
        return None


class Projector(ABC, Generic[Report]):
    """A :class:`BatchConsumer` that keeps its position with its state; subclasses :meth:`project`.

    ``collections`` names the read models the projector owns (besides its positions) and
    ``indexes`` the fields it filters them by.
    """

    name: ClassVar[str]
    collections: ClassVar[tuple[str, ...]]
    indexes: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def __init__(self, store: DocumentStore, dead_letters: DeadLetterSink) -> None:
        self.store = store
        self.dead_letters = dead_letters
        self._positions: dict[Partition, int] = {}
        for collection, fields in self.indexes.items():
            store.ensure_indexes(collection, fields)

    @abstractmethod
    def project(self, entries: Sequence[LogEntry]) -> Projection[Report]:
        """Project entries not applied before: the letters, the state writes and a report.

        Nothing may be written but through the returned writes, except what is safe to
        find again when the batch is redelivered (e.g. ids inserted with ``insert_new``).
        """

    def position(self, topic: str, partition: int) -> int:
        """The next offset to read, as committed together with the state."""
        return self._known({(topic, partition)})[(topic, partition)]

    def unapplied(self, entries: Sequence[LogEntry]) -> list[LogEntry]:
        """The entries at or after the stored position of their partition (redeliveries dropped).

        Applying them again would be harmless; skipping them is cheaper. A partition's
        position is read from the store once, then kept until :meth:`reset`.
        """
        known = self._known({(e.topic, e.partition) for e in entries})
        return [e for e in entries if e.offset >= known[(e.topic, e.partition)]]

    def handle(self, entries: Sequence[LogEntry]) -> Report:
        """Apply a batch of log entries. Safe to call again with the same entries."""
        with self._reset_on_failure():
            fresh = self.unapplied(entries)
            letters, writes, report = self.project(fresh)
            self.commit(letters, writes, fresh)
            report.consumed, report.dead_lettered = len(fresh), len(letters)
            return report

    def skip(self, entries: Sequence[LogEntry], reason: str = PROCESSING_ERROR) -> int:
        """Dead-letter the batch's unapplied entries with ``reason``; write only their positions.

        For a batch the projection fails on: the stream moves past it (the lag drops), and
        once fixed a replay of the letters applies the events (their ``event_id`` keeps a
        replay from counting twice). Returns how many entries were dead-lettered.
        """
        with self._reset_on_failure():
            fresh = self.unapplied(entries)
            error = FieldError("$", reason, "The projector could not apply this batch")
            letters = [self.dead_letters.letter(e, reason, [error], _event_id(e)) for e in fresh]
            self.commit(letters, [], fresh)
            return len(fresh)

    def commit(
        self, letters: Sequence[DeadLetter], writes: Sequence[Write], entries: Sequence[LogEntry]
    ) -> None:
        """Send the letters, then write the state and the entries' positions last, in one write.

        Letters first: after a crash before the state write the batch is redelivered and its
        letters sent again, which readers of ``dead-letter`` show once. Positions last: on a
        store without transactions a crash half-way leaves the position behind, never ahead.
        """
        self.dead_letters.send(letters)
        positions = position_writes(self.name, entries)
        if writes or positions:
            self.store.write([*writes, *positions])
        for write in positions:
            self._positions[(write.document["topic"], write.document["partition"])] = write.document["offset"]

    def reset(self) -> None:
        """Forget the kept positions; subclasses forget their working set too."""
        self._positions.clear()

    def _known(self, partitions: set[Partition]) -> dict[Partition, int]:
        unknown = partitions - self._positions.keys()
        if unknown:
            self._positions.update(read_positions(self.store, self.name, unknown))
        return {key: self._positions[key] for key in partitions}

    @contextmanager
    def _reset_on_failure(self) -> Iterator[None]:
        # What is in memory may be ahead of what reached the store: start afresh.
        try:
            yield
        except BaseException:
            self.reset()
            raise
