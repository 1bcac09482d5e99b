"""The embedded runner: feeds services from the local event log in a background thread.

It is the single-process stand-in for the Faust workers: same services, same batches,
positions committed with the state by the service itself.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import Protocol

from services.core.ports import EventLog, LogEntry

log = logging.getLogger(__name__)


class BatchConsumer(Protocol):
    """A service that consumes log batches and keeps its own position."""

    name: str

    def position(self, topic: str, partition: int) -> int: ...

    def handle(self, entries: list[LogEntry]) -> object: ...


class LogPump:
    """Moves records from one topic of an :class:`EventLog` into a :class:`BatchConsumer`."""

    def __init__(self, log: EventLog, consumer: BatchConsumer, topic: str, batch_size: int = 2000) -> None:
        self.log = log
        self.consumer = consumer
        self.topic = topic
        self.batch_size = batch_size

    def pump_once(self) -> int:
        """Handle at most one batch per partition; return how many records were handled."""
        handled = 0
        for partition in self.log.partitions(self.topic):
            offset = self.consumer.position(self.topic, partition)
            entries = self.log.read(self.topic, partition, offset, self.batch_size)
            if entries:
                self.consumer.handle(entries)
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
    """Runs pumps in a daemon thread until :meth:`stop`; wakes on appends in this process."""

    def __init__(
        self,
        pumps: list[LogPump],
        wait: Callable[[float], None] | None = None,
        idle_seconds: float = 0.5,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        self.pumps = pumps
        self.wait = wait
        self.on_failure = on_failure
        self.idle_seconds = idle_seconds
        self.recovered = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedded-runner", daemon=True)
        self.failures = 0

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = sum(p.pump_once() for p in self.pumps)
                if not handled:
                    self.recovered.set()
            except Exception:
                # A failing batch is retried, never skipped: the position did not move.
                self.failures += 1
                if self.on_failure is not None:
                    self.on_failure()
                log.exception("embedded runner batch failed; retrying")
                self._stop.wait(1.0)
                continue
            if not handled:
                if self.wait is not None:
                    self.wait(self.idle_seconds)
                else:
                    self._stop.wait(self.idle_seconds)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
