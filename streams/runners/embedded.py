"""The embedded runner: feeds services from the local event log in a background thread.

It is the single-process stand-in for the Faust workers: same services, same batches, same
failure policy (:mod:`streams.runners.failure_policy`), positions committed with the state
by the service itself.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence

from services.core.ports import EventLog, LogEntry
from services.core.projector import BatchConsumer
from streams.runners.failure_policy import Backoff, BatchAttempt

log = logging.getLogger(__name__)

Wait = Callable[[float], bool]
"""Pause for so many seconds; true when the runner is stopping meanwhile."""


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return False


def apply_batch(
    consumer: BatchConsumer,
    entries: Sequence[LogEntry],
    wait: Wait,
    on_retry: Callable[[], object] | None = None,
) -> bool:
    """Hand a batch to the consumer under the failure policy; false if the runner stopped first."""
    attempt = BatchAttempt(consumer, entries, on_retry)
    for call in attempt.calls():
        try:
            call()
        except Exception as error:
            if wait(attempt.failed(error)):
                return False  # the batch is left as it was: its position did not move
        else:
            attempt.succeeded()
    return True


class LogPump:
    """Moves records from one topic of an :class:`EventLog` into a :class:`BatchConsumer`."""

    def __init__(self, log: EventLog, consumer: BatchConsumer, topic: str, batch_size: int = 2000) -> None:
        self.log = log
        self.consumer = consumer
        self.topic = topic
        self.batch_size = batch_size

    def pump_once(self, wait: Wait = _sleep, on_retry: Callable[[], object] | None = None) -> int:
        """Handle at most one batch per partition; return how many records were handled.

        A failing batch goes through :mod:`streams.runners.failure_policy`: retried while a
        server is down (pausing with ``wait``), skipped to ``dead-letter`` on any other error.
        """
        handled = 0
        for partition in self.log.partitions(self.topic):
            offset = self.consumer.position(self.topic, partition)
            entries = self.log.read(self.topic, partition, offset, self.batch_size)
            if entries:
                if not apply_batch(self.consumer, entries, wait, on_retry):
                    return handled
                handled += len(entries)
                # The services keep their working set (pilots, facts) in memory; moving it
                # out of the collector's reach keeps full collections — pauses of a tenth
                # of a second that API requests and the next batch would wait for — short.
                gc.freeze()
        return handled

    def drain(self) -> int:
        """Handle everything currently in the topic."""
        total = 0
        while True:
            handled = self.pump_once()
            if not handled:
                return total
            total += handled

    def lag(self) -> int:
        return sum(
            self.log.end_offset(self.topic, p) - self.consumer.position(self.topic, p)
            for p in self.log.partitions(self.topic)
        )


class EmbeddedRunner:
    """Runs pumps in a daemon thread until :meth:`stop`; wakes on appends in this process.

    ``on_retry`` is told of every retried batch (and of every pass retried because the log
    or a position could not be read).
    """

    def __init__(
        self,
        pumps: list[LogPump],
        wait: Callable[[float], None] | None = None,
        idle_seconds: float = 0.5,
        on_retry: Callable[[], object] | None = None,
    ) -> None:
        self.pumps = pumps
        self.wait = wait
        self.on_retry = on_retry
        self.idle_seconds = idle_seconds
        self.recovered = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedded-runner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        backoff = Backoff()
        while not self._stop.is_set():
            try:
                handled = sum(p.pump_once(self._stop.wait, self.on_retry) for p in self.pumps)
            except Exception:
                # Reading the log or a position failed, outside any batch: try the pass again.
                log.exception("embedded runner could not read its log or positions; retrying")
                if self.on_retry is not None:
                    self.on_retry()
                self._stop.wait(backoff.next())
                continue
            backoff = Backoff()
            if not handled:
                self.recovered.set()
                if self.wait is not None:
                    self.wait(self.idle_seconds)
                else:
                    self._stop.wait(self.idle_seconds)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
