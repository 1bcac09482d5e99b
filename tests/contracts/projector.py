"""The contract every :class:`services.core.projector.Projector` must keep, whatever its store.

Subclass :class:`ProjectorContract` and provide

* an ``open_store`` fixture: a factory of fresh, empty :class:`DocumentStore` s;
* ``topic``, the topic the projector consumes, and ``make(store, dead_letters)``, a new
  projector (a new process) on that store;
* ``batches()``: the batches to project, as :class:`LogRecord` lists (the same every call),
  with batch ``POISONED`` holding the subclass's marked record;
* ``poison(monkeypatch)``: patch one of the projection's rules so that it raises a plain
  error on the marked record (a bug only that record meets);
* optionally ``normalise(collection, document)``: what of a document does not depend on
  where in the log its event was read (a replay re-publishes events at new offsets).

Every run is compared with an undisturbed one on every collection the projector owns,
its positions and its dead letters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from services.core.dead_letters import DeadLetterLog, DeadLetterSink
from services.core.ports import Document, DocumentStore, LogEntry, LogRecord, Unavailable, Write
from services.core.positions import POSITIONS
from services.core.projector import PROCESSING_ERROR, Projector
from streams.adapters.logs.memory import MemoryEventLog
from streams.runners.embedded import apply_batch
from tests.conftest import fixed_clock

POISONED = 1  # the batch (by index) that holds the marked record

Snapshot = dict[str, dict[str, Document]]


class Crash(BaseException):
    """The process dies (a power cut): nothing catches it on the way out."""


class CrashingStore:
    """A store that lands ``steps`` writes, then crashes; each collection of a write is a step.

    A write of several collections lands one collection at a time, as on a server without
    transactions, so a crash can come between a batch's state and its position.
    """

    def __init__(self, inner: DocumentStore, steps: int) -> None:
        self.inner = inner
        self.left = steps
        self.crashed = False

    def _step(self) -> None:
        if self.left == 0:
            self.crashed = True
            raise Crash("power cut")
        self.left -= 1

    def insert_new(self, collection: str, documents: Sequence[Document]) -> set[str]:
        self._step()
        return self.inner.insert_new(collection, documents)

    def write(self, writes: Sequence[Write]) -> None:
        groups: list[list[Write]] = []
        for write in writes:
            if groups and groups[-1][-1].collection == write.collection:
                groups[-1].append(write)
            else:
                groups.append([write])
        for group in groups:
            self._step()
            self.inner.write(group)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class FailingStore:
    """A store whose next ``count`` writes raise ``error`` before anything lands."""

    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner
        self.failures: list[Exception] = []

    def write(self, writes: Sequence[Write]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.inner.write(writes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Pauses:
    """The runner's ``wait``: records each pause instead of sleeping; never stops."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> bool:
        self.seconds.append(seconds)
        return False


class Run:
    """One projector process over a log and a store; :meth:`feed` appends a batch and handles it."""

    def __init__(self, contract: ProjectorContract, store: DocumentStore) -> None:
        self.contract = contract
        self.log = MemoryEventLog()
        self.store = store
        self.projector = contract.make(store, DeadLetterSink(self.log, fixed_clock))

    @property
    def topic(self) -> str:
        return self.contract.topic

    def append(self, records: Sequence[LogRecord]) -> list[LogEntry]:
        start = self.log.end_offset(self.topic, 0)
        self.log.append(self.topic, records)
        return self.log.read(self.topic, 0, start, 100_000)

    def restart(self, store: DocumentStore | None = None) -> None:
        """A new process on the same log and store (or on ``store``): nothing kept in memory."""
        self.store = store or self.store
        self.projector = self.contract.make(self.store, DeadLetterSink(self.log, fixed_clock))

    def pending(self) -> list[LogEntry]:
        """What the log holds from the stored position on (what a runner reads next)."""
        return self.log.read(self.topic, 0, self.projector.position(self.topic, 0), 100_000)

    def end(self) -> int:
        return self.log.end_offset(self.topic, 0)

    def snapshot(self) -> Snapshot:
        """Every collection the projector owns, and its positions, as stored."""
        owned = {
            collection: {d["_id"]: d for d in self.store.find(collection)}
            for collection in self.projector.collections
        }
        positions = self.store.find(POSITIONS, {"consumer": self.projector.name})
        return {**owned, POSITIONS: {d["_id"]: d for d in positions}}

    def view(self) -> Snapshot:
        """The snapshot without what depends on the offsets events were read at."""
        return {
            collection: {key: self.contract.normalise(collection, doc) for key, doc in docs.items()}
            for collection, docs in self.snapshot().items()
            if collection != POSITIONS
        }

    def letters(self) -> set[tuple[object, ...]]:
        """The dead letters, each original message and reason once."""
        return {
            (s.letter.topic, s.letter.partition, s.letter.offset, s.letter.reason, s.letter.event_id)
            for s in DeadLetterLog(self.log).find()
        }


class ProjectorContract:
    topic: str

    @pytest.fixture
    def open_store(self) -> Callable[[], DocumentStore]:  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def make(self, store: DocumentStore, dead_letters: DeadLetterSink) -> Projector[Any]:
        raise NotImplementedError  # pragma: no cover - provided by subclasses

    def batches(self) -> list[list[LogRecord]]:
        raise NotImplementedError  # pragma: no cover - provided by subclasses

    def poison(self, monkeypatch: pytest.MonkeyPatch) -> None:
        raise NotImplementedError  # pragma: no cover - provided by subclasses

    def normalise(self, collection: str, document: Document) -> Document:
        return document

    def undisturbed(self, open_store: Callable[[], DocumentStore]) -> Run:
        run = Run(self, open_store())
        for batch in self.batches():
            run.projector.handle(run.append(batch))
        return run

    def test_the_batches_fill_every_collection_and_refuse_something(self, open_store):
        run = self.undisturbed(open_store)
        assert all(run.snapshot().values()), "the comparisons below would prove little"
        assert _refusals(run)
        assert run.projector.position(self.topic, 0) == run.end()

    def test_redelivery_of_a_batch_changes_nothing(self, open_store):
        run = Run(self, open_store())
        delivered: list[list[LogEntry]] = []
        for batch in self.batches():
            delivered.append(run.append(batch))
            run.projector.handle(delivered[-1])
        before, letters, sent = run.snapshot(), run.letters(), run.log.end_offset("dead-letter", 0)
        for entries in delivered:  # the same process gets them again
            run.projector.handle(entries)
        run.restart()  # and so does a new one, all at once
        run.projector.handle([e for entries in delivered for e in entries])
        assert run.snapshot() == before
        assert run.letters() == letters and run.log.end_offset("dead-letter", 0) == sent

    def test_a_crash_between_writes_converges_once_the_batch_is_redelivered(self, open_store):
        expected = self.undisturbed(open_store)
        steps = 0
        while True:
            store = open_store()
            crashing = CrashingStore(store, steps)
            run = Run(self, crashing)
            for batch in self.batches():
                entries = run.append(batch)
                try:
                    run.projector.handle(entries)
                except Crash:
                    run.restart(store)  # a new process, on a store that stays up
                    run.projector.handle(entries)  # the broker redelivers the whole batch
            assert run.snapshot() == expected.snapshot(), f"after a crash at write step {steps}"
            assert run.letters() == expected.letters(), f"after a crash at write step {steps}"
            if not crashing.crashed:
                break  # every step of every batch has been crashed at
            steps += 1
        assert steps > len(self.batches())

    def test_a_reset_between_batches_gives_the_same_result(self, open_store):
        expected = self.undisturbed(open_store)
        run = Run(self, open_store())
        for batch in self.batches():
            run.projector.reset()  # a rebalance: other workers may have written
            entries = run.append(batch)
            run.projector.handle(entries)
            run.projector.reset()
            run.projector.handle(entries)  # and the batch comes again after it
        assert run.snapshot() == expected.snapshot()
        assert run.letters() == expected.letters()

    def test_entries_below_the_stored_position_are_not_projected_again(self, open_store, monkeypatch):
        first, *rest = self.batches()
        run = Run(self, open_store())
        applied = run.append(first)
        run.projector.handle(applied)
        later = [e for batch in rest for e in run.append(batch)]
        for process in ("the same", "a new"):
            if process == "a new":
                run.restart()
            projected: list[LogEntry] = []
            project = run.projector.project

            def spy(entries, project=project, projected=projected):
                projected.extend(entries)
                return project(entries)

            monkeypatch.setattr(run.projector, "project", spy)
            run.projector.handle([*applied, *later])
            assert projected == (later if process == "the same" else []), f"{process} process"
            assert run.projector.position(self.topic, 0) == run.end()

    def test_a_server_down_retries_the_same_batch_and_moves_nothing_meanwhile(self, open_store):
        expected = self.undisturbed(open_store)
        store = FailingStore(open_store())
        run = Run(self, store)
        pauses = Pauses()
        for index, batch in enumerate(self.batches()):
            entries = run.append(batch)
            if index == POISONED:
                store.failures = [Unavailable("store down")] * 3
            assert apply_batch(run.projector, entries, pauses)
        assert pauses.seconds == [0.5, 1.0, 2.0]
        assert run.snapshot() == expected.snapshot()
        assert run.letters() == expected.letters()

    @pytest.mark.parametrize("poison", ["rule", "store", "rule, then the store down while skipping"])
    def test_a_poisoned_batch_is_dead_lettered_passed_and_applied_once_when_replayed(
        self, open_store, monkeypatch, poison
    ):
        expected = self.undisturbed(open_store)
        store = FailingStore(open_store())
        run = Run(self, store)
        pauses = Pauses()
        poisoned: list[LogEntry] = []
        with monkeypatch.context() as patch:
            for index, batch in enumerate(self.batches()):
                entries = run.append(batch)
                if index == POISONED:
                    poisoned = entries
                    if poison.startswith("rule"):
                        self.poison(patch)
                    store.failures = {
                        "rule": [],
                        "store": [RuntimeError("a bug in the store adapter")],
                    }.get(poison, [Unavailable("store down")])
                assert apply_batch(run.projector, entries, pauses)
                if index == POISONED:
                    # Passed: the stored position is beyond the batch before the next one comes.
                    assert run.projector.position(self.topic, 0) == run.end()
                    patch.undo()  # the fix
        assert pauses.seconds == ([0.0] if poison in ("rule", "store") else [0.0, 0.5])
        run.restart()
        assert run.projector.position(self.topic, 0) == run.end()
        dead = DeadLetterLog(run.log).find(reason=PROCESSING_ERROR)
        assert sorted(s.letter.offset for s in dead) == [e.offset for e in poisoned]
        assert {(e["field"], e["rule"]) for s in dead for e in s.letter.errors} == {("$", PROCESSING_ERROR)}
        assert run.view() != expected.view()  # the batch's events are missing

        for _replay in range(2):  # a replay applies the events once, however often it is done
            replayed = DeadLetterLog(run.log).replay([s.id for s in dead])
            assert {r.status for r in replayed} == {"replayed"}
            run.projector.handle(run.pending())
            assert run.view() == expected.view()
            assert _refusals(run) == _refusals(expected)


def _refusals(run: Run) -> set[tuple[object, ...]]:
    """Which events were refused and why, wherever in the log they were read."""
    return {(reason, event_id) for *_where, reason, event_id in run.letters() if reason != PROCESSING_ERROR}
