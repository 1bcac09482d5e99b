"""The batch-failure policy both runners share: retry while a server is down, skip a batch on a bug."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from services.core.ports import LogEntry, Unavailable
from streams.observability.metrics import Metrics
from streams.runners import embedded, faust_worker
from streams.runners.failure_policy import Backoff

ENTRIES = [LogEntry("pilot-events", 0, offset, "3420", b"{}") for offset in range(3)]


class Scripted:
    """A consumer whose calls fail as scripted (one outcome per call: None succeeds)."""

    name = "adoption"

    def __init__(self, handle: Sequence[Exception | None], skip: Sequence[Exception | None] = ()) -> None:
        self.outcomes = {"handle": list(handle), "skip": list(skip)}
        self.calls: list[str] = []

    def _call(self, kind: str) -> None:
        self.calls.append(kind)
        outcome = self.outcomes[kind].pop(0) if self.outcomes[kind] else None
        if outcome is not None:
            raise outcome

    def position(self, topic: str, partition: int) -> int:
        return 0

    def handle(self, entries: Sequence[LogEntry]) -> None:
        self._call("handle")

    def skip(self, entries: Sequence[LogEntry], reason: str) -> int:
        assert reason == "processing_error"
        self._call("skip")
        return len(entries)

    def reset(self) -> None:
        self.calls.append("reset")


class Waits:
    def __init__(self, stop_after: int | None = None) -> None:
        self.seconds: list[float] = []
        self.stop_after = stop_after

    def __call__(self, seconds: float) -> bool:
        self.seconds.append(seconds)
        return self.stop_after is not None and len(self.seconds) >= self.stop_after


def test_the_pause_doubles_from_half_a_second_to_thirty():
    backoff = Backoff()
    assert [backoff.next() for _ in range(9)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]


def test_a_server_down_retries_the_same_batch_with_back_off_and_counts_each_retry():
    consumer, waits, retries = Scripted([Unavailable("down")] * 3), Waits(), []
    assert embedded.apply_batch(consumer, ENTRIES, waits, lambda: retries.append(1))
    assert consumer.calls == ["handle"] * 4
    assert waits.seconds == [0.5, 1.0, 2.0] and len(retries) == 3


def test_a_runner_stopping_while_a_server_is_down_leaves_the_batch_as_it_was():
    consumer = Scripted([Unavailable("down")] * 10)
    assert not embedded.apply_batch(consumer, ENTRIES, Waits(stop_after=2))
    assert consumer.calls == ["handle", "handle"]  # never skipped


def test_any_other_error_is_logged_with_its_traceback_and_the_batch_skipped(caplog):
    consumer, waits, retries = Scripted([KeyError("a bug")]), Waits(), []
    with caplog.at_level(logging.ERROR, logger="streams.runners.failure_policy"):
        assert embedded.apply_batch(consumer, ENTRIES, waits, lambda: retries.append(1))
    assert consumer.calls == ["handle", "skip"]
    assert waits.seconds == [0.0] and retries == []
    (record,) = caplog.records
    assert "processing_error" in record.getMessage() and record.exc_info[0] is KeyError


def test_a_skip_that_fails_is_retried_until_it_goes_through():
    consumer = Scripted([RuntimeError("a bug")], skip=[Unavailable("down"), ValueError("odd"), None])
    waits = Waits()
    assert embedded.apply_batch(consumer, ENTRIES, waits)
    assert consumer.calls == ["handle", "skip", "skip", "skip"]
    assert waits.seconds == [0.0, 0.5, 1.0]


def test_the_faust_agent_takes_the_same_decisions_and_counts_retries_per_service():
    metrics = Metrics("worker-adoption", "distributed")
    retried = Scripted([Unavailable("down")])
    asyncio.run(faust_worker.apply_batch(retried, ENTRIES, metrics))
    assert retried.calls == ["handle", "handle"]
    skipped = Scripted([RuntimeError("a bug")])
    asyncio.run(faust_worker.apply_batch(skipped, ENTRIES, metrics))
    assert skipped.calls == ["handle", "skip"]
    assert 'alliance_batch_retries_total{service="adoption"} 1.0' in metrics.exposition().decode()
